// Presign handler speed: bundle size, cold start proxy (fresh Node process: load bundle + first event), warm
// time per invocation; ours vs. getSignedUrl on a default S3Client vs. a raw node:crypto SigV4 floor.
// Usage: node --require tsx/cjs scripts/bench-presign.ts [iterations=20000]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { ESBUILD_OPTIONS } from "../constructs/bundle";
import { zipDeterministic } from "../constructs/zip";
import { presignFloor } from "./bench/sigv4-floor";

const root = path.resolve(__dirname, "..");
const iterations = Number(process.argv[2] ?? 20000);
const tmp = mkdtempSync(path.join(tmpdir(), "ddn-bench-presign-"));
const ENV = { IN_BUCKET: "ddn-bench-in", OUT_BUCKET: "ddn-bench-out", AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00", AWS_SECRET_ACCESS_KEY: "x".repeat(40), AWS_SESSION_TOKEN: "token", AWS_REGION: "eu-west-1", LOG_LEVEL: "SILENT" };
Object.assign(process.env, ENV, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });

function bundle(name: string, entry: string): { file: string; js: number; zip: number } {
  const outfile = path.join(tmp, name, "index.js");
  buildSync({ ...ESBUILD_OPTIONS, write: true, absWorkingDir: root, entryPoints: [entry], outfile });
  const zip = zipDeterministic([{ name: "index.js", data: readFileSync(outfile) }]);
  writeFileSync(path.join(tmp, name, "code.zip"), zip);
  return { file: outfile, js: statSync(outfile).size, zip: zip.length };
}

const event = (i: number) => ({ queryStringParameters: { file: `uploads/file-${i}.png`, mode: "upload" }, headers: {} });

function cold(file: string, runs = 7): { loadMs: number; firstMs: number } {
  const script = `
    const t0 = performance.now();
    const { handler } = require(${JSON.stringify(file)});
    const t1 = performance.now();
    handler({ queryStringParameters: { file: "a.png", mode: "upload" }, headers: {} }).then((r) => {
      if (r.statusCode !== 200) throw new Error(r.body);
      process.stdout.write(JSON.stringify({ loadMs: t1 - t0, firstMs: performance.now() - t1 }));
    });`;
  const samples = Array.from({ length: runs }, () => {
    const r = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, ...ENV }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as { loadMs: number; firstMs: number };
  });
  const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { loadMs: med(samples.map((s) => s.loadMs)), firstMs: med(samples.map((s) => s.firstMs)) };
}

async function warm(fn: (i: number) => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 2000; i++) await fn(i);
  const t = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn(i);
  return Number(process.hrtime.bigint() - t) / iterations / 1000;
}

async function main() {
  const ours = bundle("ours", "functions/presign/index.ts");
  const base = bundle("baseline", "scripts/bench/baseline-presign.ts");
  process.stderr.write("bundled; measuring cold starts...\n");
  const oursCold = cold(ours.file);
  const baseCold = cold(base.file);
  process.stderr.write("measuring warm invocations...\n");
  const oursHandler = require(ours.file).handler;
  const baseHandler = require(base.file).handler;
  const now = new Date();
  const oursUs = await warm((i) => oursHandler(event(i)));
  const baseUs = await warm((i) => baseHandler(event(i)));
  const floorUs = await warm((i) => presignFloor("ddn-bench-in", `uploads/file-${i}.png`, "eu-west-1", "AKIAEXAMPLEEXAMPLE00", "x".repeat(40), now));

  const rows = [
    ["ours (S3RequestPresigner)", ours.js, ours.zip, oursCold.loadMs, oursCold.firstMs, oursUs],
    ["baseline (getSignedUrl + S3Client)", base.js, base.zip, baseCold.loadMs, baseCold.firstMs, baseUs],
    ["floor (node:crypto SigV4)", NaN, NaN, NaN, NaN, floorUs],
  ] as const;
  console.log(`node ${process.version}; ${iterations} warm invocations each\n`);
  console.log("| handler | bundle js | zip | cold load | cold first event | warm per URL |");
  console.log("|---|---|---|---|---|---|");
  for (const [name, js, zip, load, first, us] of rows) {
    const kb = (n: number) => (Number.isNaN(n) ? "-" : `${(n / 1024).toFixed(1)} KB`);
    const ms = (n: number) => (Number.isNaN(n) ? "-" : `${n.toFixed(1)} ms`);
    console.log(`| ${name} | ${kb(js)} | ${kb(zip)} | ${ms(load)} | ${ms(first)} | ${us.toFixed(1)} us |`);
  }
  console.log(`\nwarm: ours is ${(baseUs / oursUs).toFixed(1)}x faster than the baseline and ${(oursUs / floorUs).toFixed(1)}x the SigV4 floor`);
  rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
