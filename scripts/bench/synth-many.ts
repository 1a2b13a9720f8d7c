// Benchmark entry: synthesizes the stacks of N environments in one app (N copies of dev under other names),
// to show how synthesis cost grows. Usage: node synth/precompiled.js scripts/bench/synth-many.ts N
// The handlers are bundled once, as main.ts does: bundling is per source, not per environment.
import { App } from "cdktf";
import { loadConfig } from "../../config";
import { prepareBundles } from "../../constructs/function-bundles";
import { loadFunctions } from "../../pipeline/registry";
import { addPipeline } from "../../stacks/app";
import { captureCreationStacksOnlyWhenDebugging } from "../../synth/creation-stacks";

async function main(): Promise<void> {
  captureCreationStacksOnlyWhenDebugging();
  const n = Number(process.argv[2] ?? 1);
  const dev = loadConfig("dev");
  const bundles = await prepareBundles(loadFunctions(dev).map((f) => f.entry));
  const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out" });
  for (let i = 0; i < n; i++) addPipeline(app, i === 0 ? dev : { ...dev, env: `bench${i}` }, {}, bundles);
  app.synth();
}

main().catch((error: unknown) => {
  process.stderr.write(`synth-many failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
