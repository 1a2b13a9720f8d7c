import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import type { EnvironmentConfig } from "../../config";
import { addPipeline } from "../../stacks/app";
import type { StateBackendSettings } from "../../stacks/state-backend";
import { readStacks, type Synthesized } from "./synth";

/**
 * Synthesizes a config that no environment has (a test's variation of one, e.g. the browser test's page origins)
 * in this process, into a fresh temporary directory. Configured environments: synthEnv (the command users run).
 */
export function synthConfig(config: EnvironmentConfig, backend: StateBackendSettings = {}): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), `ddn-synth-${config.env}-`));
  const app = new App({ outdir, skipValidation: false });
  addPipeline(app, config, backend);
  app.synth();
  return { outdir, stacks: readStacks(outdir), cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}
