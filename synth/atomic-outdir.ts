import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import * as path from "node:path";

/**
 * Runs `write(stagingDir)` and, only if it succeeds, swaps the staging directory in as `outdir`. A synth that
 * fails anywhere (bad config, a policy violation in the last stack, a bundling error) leaves the previous
 * output untouched instead of half of a new one.
 */
export function writeAtomically<T>(outdir: string, write: (stagingDir: string) => T): T {
  const parent = path.dirname(path.resolve(outdir));
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(path.join(parent, `.${path.basename(outdir)}-staging-`));
  let result: T;
  try {
    result = write(staging);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const previous = `${staging}-previous`;
  if (existsSync(outdir)) renameSync(outdir, previous);
  renameSync(staging, outdir);
  rmSync(previous, { recursive: true, force: true });
  return result;
}
