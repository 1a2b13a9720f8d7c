import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { progress, ROOT, runNode, summarize, type RunStats, type Summary } from "./measure";

export interface SynthResult {
  readonly label: string;
  readonly command: string;
  /** Bundles reused (handlers unchanged) or every handler rebuilt. */
  readonly bundles: "reused" | "rebuilt";
  readonly wall: Summary;
  readonly rss: Summary;
}

interface Variant {
  readonly label: string;
  readonly command: string;
  readonly bundles: SynthResult["bundles"];
  readonly once: () => RunStats;
}

/** The template's app command (cdktf init --template=typescript writes `npx ts-node main.ts` into cdktf.json). */
const TEMPLATE_APP = "npx ts-node main.ts";

/** Wall time of a command that is not node (npx); no peak RSS for it. */
function runCommand(command: string, args: string[], env: Record<string, string>): RunStats {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, rssMb: Number.NaN };
}

/**
 * Each variant `runs` times, round-robin (a slow spell of the machine hits every variant alike, not one).
 * Bundles are built once before (reused variants) or rebuilt every run (DDN_BUNDLE_CACHE=off).
 */
function measure(variants: readonly Variant[], runs: number): SynthResult[] {
  const samples = variants.map(() => [] as RunStats[]);
  for (let i = 0; i < runs; i++) {
    variants.forEach((v, j) => {
      const r = v.once();
      samples[j]!.push(r);
      progress(`${v.label} (${v.bundles}): run ${i + 1}/${runs} ${r.ms.toFixed(0)} ms${Number.isNaN(r.rssMb) ? "" : `, ${r.rssMb.toFixed(0)} MB`}`);
    });
  }
  return variants.map((v, j) => ({
    label: v.label,
    command: v.command,
    bundles: v.bundles,
    wall: summarize(samples[j]!.map((r) => r.ms)),
    rss: summarize(samples[j]!.map((r) => r.rssMb)),
  }));
}

/**
 * All four dev stacks, ours against three baselines, each named for what it is:
 * - the cdktf TypeScript template as generated: ts-node (type-checking while loading), per-resource imports;
 * - the same with the `@cdktf/provider-aws` package index imported (common in tutorials);
 * - `npx cdktf synth` through the CLI, for ours and for the template's app command.
 * Every variant synthesizes this project's app; only the way it is run differs.
 */
export function synthesisComparison(runs: number, withCli: boolean): SynthResult[] {
  const out = mkdtempSync(path.join(tmpdir(), "ddn-bench-synth-"));
  const bundles = mkdtempSync(path.join(tmpdir(), "ddn-bench-bundles-"));
  const warm = { CDKTF_OUTDIR: out, DDN_BUNDLE_DIR: bundles };
  const cold = { ...warm, DDN_BUNDLE_CACHE: "off" };
  const node = (args: string[], env: Record<string, string>) => () => runNode(args, env);
  try {
    runNode(["synth/precompiled.js", "main.ts"], warm); // compile the entry, build the bundles once
    const variants: Variant[] = [
      { label: "ours: npm run synth (precompiled, plain node)", command: "node synth/precompiled.js main.ts", bundles: "reused", once: node(["synth/precompiled.js", "main.ts"], warm) },
      { label: "ours: npm run synth (precompiled, plain node)", command: "node synth/precompiled.js main.ts", bundles: "rebuilt", once: node(["synth/precompiled.js", "main.ts"], cold) },
      { label: "ours from source (tsx loader, the way npm run synth ran before)", command: "node --require tsx/cjs main.ts", bundles: "reused", once: node(["--require", "tsx/cjs", "main.ts"], warm) },
      { label: "baseline: cdktf TypeScript template as generated (ts-node, per-resource imports)", command: "node -r ts-node/register main.ts", bundles: "reused", once: node(["-r", "ts-node/register", "main.ts"], warm) },
      { label: "baseline: cdktf TypeScript template as generated (ts-node, per-resource imports)", command: "node -r ts-node/register main.ts", bundles: "rebuilt", once: node(["-r", "ts-node/register", "main.ts"], cold) },
      { label: "baseline: template + provider index import (tutorials)", command: "node -r ts-node/register scripts/bench/stock-main.ts", bundles: "reused", once: node(["-r", "ts-node/register", "scripts/bench/stock-main.ts"], warm) },
    ];
    if (withCli) {
      // CHECKPOINT_DISABLE: the CLI would otherwise ask HashiCorp for a newer version (no network here, nor needed).
      const cli = { ...warm, CHECKPOINT_DISABLE: "1" };
      variants.push(
        { label: "ours through the CLI", command: "npx cdktf synth", bundles: "reused", once: () => runCommand("npx", ["--no-install", "cdktf", "synth", "--output", out], cli) },
        { label: "baseline: template through the CLI", command: `npx cdktf synth --app "${TEMPLATE_APP}"`, bundles: "reused", once: () => runCommand("npx", ["--no-install", "cdktf", "synth", "--app", TEMPLATE_APP, "--output", out], cli) },
      );
    }
    return measure(variants, runs);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(bundles, { recursive: true, force: true });
  }
}

export interface GrowthPoint {
  readonly environments: number;
  readonly stacks: number;
  readonly wall: Summary;
  readonly rssMb: number;
}

/** Synthesis cost for 1, 2, 4, 8 environments in one app, the way npm run synth runs (bundles reused). */
export function growth(counts: readonly number[], runs: number): GrowthPoint[] {
  const out = mkdtempSync(path.join(tmpdir(), "ddn-bench-growth-"));
  const bundles = mkdtempSync(path.join(tmpdir(), "ddn-bench-bundles-"));
  const env = { CDKTF_OUTDIR: out, DDN_BUNDLE_DIR: bundles };
  const args = (n: number) => ["synth/precompiled.js", "scripts/bench/synth-many.ts", String(n)];
  try {
    runNode(args(1), env); // compile the entry, build the bundles once
    const samples = counts.map(() => [] as RunStats[]);
    for (let i = 0; i < runs; i++) {
      counts.forEach((n, j) => {
        const r = runNode(args(n), env);
        samples[j]!.push(r);
        progress(`growth: ${n} environment(s) run ${i + 1}/${runs} ${r.ms.toFixed(0)} ms, ${r.rssMb.toFixed(0)} MB`);
      });
    }
    return counts.map((n, j) => ({
      environments: n,
      stacks: n * 4,
      wall: summarize(samples[j]!.map((r) => r.ms)),
      rssMb: summarize(samples[j]!.map((r) => r.rssMb)).median,
    }));
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(bundles, { recursive: true, force: true });
  }
}

/** Milliseconds each environment adds: the least-squares slope through the medians. */
export function perEnvironmentMs(points: readonly GrowthPoint[]): number {
  const xs = points.map((p) => p.environments);
  const ys = points.map((p) => p.wall.median);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
  const den = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  return den === 0 ? Number.NaN : num / den;
}
