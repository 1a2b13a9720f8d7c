#!/usr/bin/env node
// Measures `npm run synth` the way a user runs it: a fresh Node process per run, wall time and peak RSS.
// Cold = bundle cache cleared (first synth on a fresh clone); warm = unchanged handlers, bundles reused.
// Usage: node scripts/measure-synth.js [runs=5]
const { spawnSync } = require("node:child_process");
const { mkdtempSync, readFileSync, rmSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const runs = Number(process.argv[2] ?? 5);
const tmp = mkdtempSync(path.join(os.tmpdir(), "ddn-measure-"));
const rssFile = path.join(tmp, "rss");

function once(cold) {
  if (cold) rmSync(path.join(root, "node_modules", ".cache", "ddn-bundles"), { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--require", "./scripts/peak-rss.js", "--require", "tsx/cjs", "main.ts"], {
    cwd: root,
    env: { ...process.env, DDN_RSS_FILE: rssFile, CDKTF_OUTDIR: path.join(tmp, "out") },
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`synth failed:\n${r.stderr}`);
  return { ms, rssMb: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (o, unit) => `min ${o.min.toFixed(0)} ${unit}, median ${o.median.toFixed(0)} ${unit}, max ${o.max.toFixed(0)} ${unit}`;

console.log(`node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}; ${runs} runs each`);
for (const [label, cold] of [["cold (bundles rebuilt)", true], ["warm (bundles reused)", false]]) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    results.push(once(cold));
    process.stderr.write(".");
  }
  process.stderr.write("\n");
  console.log(`synth ${label}: wall ${fmt(stats(results.map((r) => r.ms)), "ms")}; peak RSS ${fmt(stats(results.map((r) => r.rssMb)), "MB")}`);
}
rmSync(tmp, { recursive: true, force: true });
