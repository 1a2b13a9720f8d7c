import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { makeRunDirectory, removeAbandonedRuns, removeOrphanedBundleDirs, testBundleDir } from "./temp-dirs";

// What jest runs keep in the system's temporary directory. An interrupted run skips its teardown: the next run's
// setup removes what it left, and nothing of a run still going. The handler bundles outlive runs (the next one
// reuses them): those of a checkout that is gone go.
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function systemTempFor(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `ddn-${name}-`));
  temps.push(dir);
  return dir;
}

test("the directories of runs that are over go; a running one's, and anything else, stay", () => {
  const systemTemp = systemTempFor("run-dirs");
  const over = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const overPid = Number(over.stdout);
  const abandoned = path.join(systemTemp, `ddn-test-run-${overPid}-aB3dEf`);
  const running = makeRunDirectory(systemTemp);
  const unrelated = path.join(systemTemp, "ddn-test-bundles-0123456789ab");
  for (const dir of [abandoned, unrelated]) mkdirSync(path.join(dir, "inside"), { recursive: true });

  expect(removeAbandonedRuns(systemTemp)).toEqual([abandoned]);
  expect([abandoned, running, unrelated].map(existsSync)).toEqual([false, true, true]);
  expect(path.basename(running)).toMatch(new RegExp(`^ddn-test-run-${process.pid}-`));
});

test("this run's temporary directory is the run's own (what tests and their processes make goes with it)", () => {
  expect(process.env.DDN_TEST_RUN_DIR).toBeTruthy();
  expect(tmpdir()).toBe(process.env.DDN_TEST_RUN_DIR);
  expect(process.env.DDN_BUNDLE_DIR!.startsWith(`${process.env.DDN_TEST_RUN_DIR}${path.sep}`)).toBe(false);
});

test("a bundle directory names its checkout; it goes when the checkout is gone, never while it exists", () => {
  const systemTemp = systemTempFor("bundle-dirs");
  const [kept, gone] = ["kept", "gone"].map((name) => path.join(systemTemp, "checkouts", name));
  for (const checkout of [kept, gone]) mkdirSync(checkout!, { recursive: true });
  const keptDir = testBundleDir(systemTemp, kept!);
  const goneDir = testBundleDir(systemTemp, gone!);
  expect(testBundleDir(systemTemp, kept!)).toBe(keptDir);
  expect(keptDir).not.toBe(goneDir);
  expect(readFileSync(path.join(keptDir, "checkout"), "utf8")).toBe(kept);
  // One made before directories named their checkout: not knowably abandoned, left alone.
  const unnamed = path.join(systemTemp, "ddn-test-bundles-0123456789ab");
  mkdirSync(unnamed);

  expect(removeOrphanedBundleDirs(systemTemp)).toEqual([]);
  rmSync(gone!, { recursive: true });
  expect(removeOrphanedBundleDirs(systemTemp)).toEqual([goneDir]);
  expect([keptDir, goneDir, unnamed].map(existsSync)).toEqual([true, false, true]);
});
