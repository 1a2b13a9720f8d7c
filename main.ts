import { DEFAULT_ENV, loadConfig } from "./config";
import { describeUnreplaced, unreplacedPlaceholders } from "./config/placeholder";
import { prepareBundles } from "./constructs/function-bundles";
import { loadFunctions } from "./pipeline/registry";
import { captureCreationStacksOnlyWhenDebugging } from "./synth/creation-stacks";

// Wiring only: environment and state backend come from the process environment, everything else from config/.
async function main(): Promise<void> {
  const started = Date.now();
  captureCreationStacksOnlyWhenDebugging();
  const config = loadConfig(process.env.DDN_ENV || DEFAULT_ENV);
  const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
  // The handlers build in esbuild's process and deflate on the thread pool while this thread loads cdktf: the
  // stacks are required only after the bundling started.
  const bundling = prepareBundles(loadFunctions(config).map((f) => f.entry));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stacks = require("./synth/stacks") as typeof import("./synth/stacks");
  const pipeline = stacks.synthesizePipeline(config, outdir, await bundling);
  process.stdout.write(stacks.synthReport(outdir, pipeline, Date.now() - started));
  // Synthesizing (and planning) with example values is fine; deploying them is not (scripts/deploy.ts refuses).
  const unreplaced = unreplacedPlaceholders(config);
  if (unreplaced.length > 0) process.stderr.write(`warning: ${describeUnreplaced(config.env, unreplaced)}\n`);
}

main().catch((error: unknown) => {
  // cdktf suggests skipValidation to get past failed validations; here the way past a policy rule is a reasoned
  // suppression (policy/suppressions.ts), so that advice is replaced.
  const message = (error instanceof Error ? error.message : String(error)).replace(
    /If you wish to ignore these validations.*$/m,
    "A policy exception needs suppressPolicy(resource, ruleId, reason) next to the resource (see README, Policy gate).",
  );
  process.stderr.write(`synth failed: ${message.trimEnd()}\n`);
  process.exit(1);
});
