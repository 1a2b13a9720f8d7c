// Benchmark entry: synthesizes the stacks of N environments in one app (N copies of dev under other names),
// to show how synthesis cost grows. Usage: node --require tsx/cjs scripts/bench/synth-many.ts N
import { App } from "cdktf";
import { loadConfig } from "../../config";
import { addPipeline } from "../../stacks/app";
import { formatShortStackTraces } from "../../synth/stack-trace-format";

formatShortStackTraces();
const n = Number(process.argv[2] ?? 1);
const dev = loadConfig("dev");
const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out" });
for (let i = 0; i < n; i++) addPipeline(app, i === 0 ? dev : { ...dev, env: `bench${i}` });
app.synth();
