import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/** Where this jest run keeps the environments synthesized for its suites (see synthEnv in stacks/synth.ts). */
export const SHARED_SYNTH_DIR = "DDN_TEST_SYNTH_DIR";

/** One directory per jest run: the workers inherit it; nothing in it outlives the run (global-teardown.ts). */
export default function globalSetup(): void {
  process.env[SHARED_SYNTH_DIR] = mkdtempSync(path.join(tmpdir(), "ddn-test-synth-"));
}
