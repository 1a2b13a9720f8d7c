import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { makeRunDirectory, removeAbandonedRuns } from "./run-directory";

/** Where this jest run keeps the environments synthesized for its suites (see synthEnv in stacks/synth.ts). */
export const SHARED_SYNTH_DIR = "DDN_TEST_SYNTH_DIR";
/** This jest run's directory: the temporary directory of the run, its workers and every process they start. */
export const RUN_DIR = "DDN_TEST_RUN_DIR";

/** The workers inherit what is set here; global-teardown.ts removes the run's directory. */
export default function globalSetup(): void {
  const systemTemp = tmpdir();
  removeAbandonedRuns(systemTemp);
  // Tests never write into the working tree: bundles go to a temporary directory that outlives the run (the next
  // run reuses them), one per checkout, so two checkouts on one machine never race on a bundle.
  process.env.DDN_BUNDLE_DIR ??= path.join(systemTemp, `ddn-test-bundles-${createHash("sha1").update(path.resolve(__dirname, "..")).digest("hex").slice(0, 12)}`);
  const run = makeRunDirectory(systemTemp);
  process.env[RUN_DIR] = run;
  // Everything else a test makes (project copies, synth outputs, Chromium profiles, Terraform work directories)
  // lands in the run's directory: removed by the teardown, or by the next run's setup after an interrupted one.
  process.env.TMPDIR = run;
  process.env[SHARED_SYNTH_DIR] = path.join(run, "synth");
  mkdirSync(process.env[SHARED_SYNTH_DIR]);
}
