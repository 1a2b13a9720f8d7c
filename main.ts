import { App } from "cdktf";
import { DEFAULT_ENV, loadConfig } from "./config";
import { addPipeline } from "./stacks/app";
import { synthReport } from "./stacks/synth-report";

// Wiring only: environment and state backend come from the process environment, everything else from config/.
try {
  const started = Date.now();
  const config = loadConfig(process.env.DDN_ENV || DEFAULT_ENV);
  const app = new App();
  const stacks = addPipeline(app, config, { bucket: process.env.TF_STATE_BUCKET || undefined });
  app.synth();
  process.stdout.write(synthReport(app.outdir, stacks, Date.now() - started));
} catch (error) {
  process.stderr.write(`synth failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
