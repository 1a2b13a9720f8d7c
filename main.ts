import { App } from "cdktf";
import { DEFAULT_ENV, loadConfig } from "./config";
import { describeUnreplaced, unreplacedPlaceholders } from "./config/placeholder";
import { addPipeline } from "./stacks/app";
import { stateBackendFromEnv } from "./stacks/pipeline-stack";
import { writeAtomically } from "./synth/atomic-outdir";
import { synthReport } from "./synth/report";

// Wiring only: environment and state backend come from the process environment, everything else from config/.
try {
  const started = Date.now();
  const config = loadConfig(process.env.DDN_ENV || DEFAULT_ENV);
  const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
  const stacks = writeAtomically(outdir, (staging) => {
    const app = new App({ outdir: staging });
    const pipeline = addPipeline(app, config, stateBackendFromEnv());
    app.synth();
    return pipeline;
  });
  process.stdout.write(synthReport(outdir, stacks, Date.now() - started));
  // Synthesizing (and planning) with example values is fine; deploying them is not (scripts/deploy.ts refuses).
  const unreplaced = unreplacedPlaceholders(config);
  if (unreplaced.length > 0) process.stderr.write(`warning: ${describeUnreplaced(config.env, unreplaced)}\n`);
} catch (error) {
  // cdktf suggests skipValidation to get past failed validations; here the way past a policy rule is a reasoned
  // suppression (policy/suppressions.ts), so that advice is replaced.
  const message = (error instanceof Error ? error.message : String(error)).replace(
    /If you wish to ignore these validations.*$/m,
    "A policy exception needs suppressPolicy(resource, ruleId, reason) next to the resource (see README, Policy gate).",
  );
  process.stderr.write(`synth failed: ${message.trimEnd()}\n`);
  process.exit(1);
}
