import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

// What jest runs keep in the system's temporary directory (tests never write into the working tree): one directory
// per run, and the handler bundles of each checkout, which outlive runs. global-setup.ts makes and sweeps them.

/** A run's directory: the prefix, then the pid of the run's jest process. */
const RUN_PREFIX = "ddn-test-run-";
const BUNDLES_PREFIX = "ddn-test-bundles-";
/** The file in a bundle directory naming the checkout it serves. */
const CHECKOUT_FILE = "checkout";

/** Removes the directories named with `prefix` that `abandoned` picks. @returns those removed */
function sweep(systemTemp: string, prefix: string, abandoned: (dir: string, rest: string) => boolean): string[] {
  const removed = readdirSync(systemTemp)
    .filter((name) => name.startsWith(prefix) && abandoned(path.join(systemTemp, name), name.slice(prefix.length)))
    .map((name) => path.join(systemTemp, name));
  for (const dir of removed) rmSync(dir, { recursive: true, force: true });
  return removed;
}

/** Whether a process is running (EPERM: it is, as another user's). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A new run directory, named for this process. */
export function makeRunDirectory(systemTemp: string): string {
  return mkdtempSync(path.join(systemTemp, `${RUN_PREFIX}${process.pid}-`));
}

/**
 * Removes the directories of earlier jest runs that are over, left behind when a run was interrupted (Ctrl-C
 * skips afterAll and the global teardown); a running one (another checkout's, say) is kept.
 * @returns the directories removed
 */
export function removeAbandonedRuns(systemTemp: string): string[] {
  return sweep(systemTemp, RUN_PREFIX, (_dir, rest) => {
    const pid = Number(/^(\d+)-/.exec(rest)?.[1]);
    return Number.isInteger(pid) && pid > 0 && !isRunning(pid);
  });
}

/**
 * The handler bundles of a checkout's test runs: kept between runs (the next one reuses them), one per checkout so
 * that two never race on a bundle.
 */
export function testBundleDir(systemTemp: string, checkout: string): string {
  const dir = path.join(systemTemp, `${BUNDLES_PREFIX}${createHash("sha1").update(checkout).digest("hex").slice(0, 12)}`);
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
  return sweep(systemTemp, BUNDLES_PREFIX, (dir) => {
    const file = path.join(dir, CHECKOUT_FILE);
    return existsSync(file) && !existsSync(readFileSync(file, "utf8"));
  });
}
