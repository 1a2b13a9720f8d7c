import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { removeOrphanedBundleDirs, testBundleDir } from "./test-bundles";

// The handler bundles of test runs outlive them (the next run reuses them): those of a checkout that is gone go.
const systemTemp = mkdtempSync(path.join(tmpdir(), "ddn-bundle-dirs-"));
afterAll(() => rmSync(systemTemp, { recursive: true, force: true }));

test("a bundle directory names its checkout; it goes when the checkout is gone, never while it exists", () => {
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
