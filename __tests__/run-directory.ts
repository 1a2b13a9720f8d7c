import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";

/** A jest run's directory in the system's temporary directory: the prefix, then the pid of the run's jest process. */
const RUN_PREFIX = "ddn-test-run-";

/** Whether a process is running (EPERM: it is, as another user's). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the directories of earlier jest runs that are over, left behind when a run was interrupted (Ctrl-C
 * skips afterAll and the global teardown); a running one (another checkout's, say) is kept.
 * @returns the directories removed
 */
export function removeAbandonedRuns(systemTemp: string): string[] {
  const abandoned = readdirSync(systemTemp).filter((name) => {
    const pid = Number(/^ddn-test-run-(\d+)-/.exec(name)?.[1]);
    return Number.isInteger(pid) && pid > 0 && !isRunning(pid);
  });
  for (const name of abandoned) rmSync(path.join(systemTemp, name), { recursive: true, force: true });
  return abandoned.map((name) => path.join(systemTemp, name));
}

/** A new run directory, named for this process. */
export function makeRunDirectory(systemTemp: string): string {
  return mkdtempSync(path.join(systemTemp, `${RUN_PREFIX}${process.pid}-`));
}
