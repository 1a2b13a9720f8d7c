import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { makeRunDirectory, removeAbandonedRuns, removeOrphanedBundleDirs, testBundleDir } from "./temp-dirs";

/** Where this jest run keeps the environments synthesized for its suites (see synthEnv in stacks/synth.ts). */
export const SHARED_SYNTH_DIR = "DDN_TEST_SYNTH_DIR";
/** This jest run's directory: the temporary directory of the run, its workers and every process they start. */
export const RUN_DIR = "DDN_TEST_RUN_DIR";

/** The workers inherit what is set here; global-teardown.ts removes the run's directory. */
export default function globalSetup(): void {
  const systemTemp = tmpdir();
  removeAbandonedRuns(systemTemp);
  removeOrphanedBundleDirs(systemTemp);
  process.env.DDN_BUNDLE_DIR ??= testBundleDir(systemTemp, path.resolve(__dirname, ".."));
  const run = makeRunDirectory(systemTemp);
  process.env[RUN_DIR] = run;
  // Everything else a test makes (project copies, synth outputs, Chromium profiles, Terraform work directories)
  // lands in the run's directory: removed by the teardown, or by the next run's setup after an interrupted one.
  process.env.TMPDIR = run;
  process.env[SHARED_SYNTH_DIR] = path.join(run, "synth");
  mkdirSync(process.env[SHARED_SYNTH_DIR]);
}
