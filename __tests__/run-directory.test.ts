import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { makeRunDirectory, removeAbandonedRuns } from "./run-directory";

// An interrupted jest run skips its teardown: the next run's setup removes what it left, and nothing of a run
// still going.
const systemTemp = mkdtempSync(path.join(tmpdir(), "ddn-run-dirs-"));
afterAll(() => rmSync(systemTemp, { recursive: true, force: true }));

test("the directories of runs that are over go; a running one's, and anything else, stay", () => {
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
