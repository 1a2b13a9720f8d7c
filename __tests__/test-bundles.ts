import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const PREFIX = "ddn-test-bundles-";
/** The file in a bundle directory naming the checkout it serves. */
const CHECKOUT_FILE = "checkout";

/**
 * The handler bundles of a checkout's test runs: in the system's temporary directory (tests never write into the
 * working tree), kept between runs (the next one reuses them), one per checkout so that two never race on a bundle.
 */
export function testBundleDir(systemTemp: string, checkout: string): string {
  const dir = path.join(systemTemp, `${PREFIX}${createHash("sha1").update(checkout).digest("hex").slice(0, 12)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, CHECKOUT_FILE), checkout);
  return dir;
}

/**
 * Removes the bundle directories of checkouts that no longer exist (clones, worktrees): ~20 MB each otherwise
 * kept for as long as the machine. One without its checkout file is left alone (not knowably abandoned).
 * @returns the directories removed
 */
export function removeOrphanedBundleDirs(systemTemp: string): string[] {
  const orphaned = readdirSync(systemTemp)
    .filter((name) => name.startsWith(PREFIX))
    .map((name) => path.join(systemTemp, name))
    .filter((dir) => {
      const file = path.join(dir, CHECKOUT_FILE);
      return existsSync(file) && !existsSync(readFileSync(file, "utf8"));
    });
  for (const dir of orphaned) rmSync(dir, { recursive: true, force: true });
  return orphaned;
}
