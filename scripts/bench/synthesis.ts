import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { progress, runNode, summarize, type RunStats, type Summary } from "./measure";

export interface SynthResult {
  readonly label: string;
  readonly command: string;
  readonly wall: Summary;
  readonly rss: Summary;
}

function repeat(label: string, command: string, runs: number, once: () => RunStats): SynthResult {
  const results: RunStats[] = [];
  for (let i = 0; i < runs; i++) {
    results.push(once());
    progress(`${label}: run ${i + 1}/${runs} ${results[i]!.ms.toFixed(0)} ms, ${results[i]!.rssMb.toFixed(0)} MB`);
  }
  return { label, command, wall: summarize(results.map((r) => r.ms)), rss: summarize(results.map((r) => r.rssMb)) };
}

/** All four stacks of dev, bundling included (bundle cache off), ours vs. the stock template style. */
export function synthesisComparison(runs: number): SynthResult[] {
  const out = mkdtempSync(path.join(tmpdir(), "ddn-bench-synth-"));
  const env = { DDN_BUNDLE_CACHE: "off", CDKTF_OUTDIR: out };
  try {
    return [
      repeat("ours: tsx (no type check), per-resource imports", "node --require tsx/cjs main.ts", runs, () => runNode(["--require", "tsx/cjs", "main.ts"], env)),
      repeat("ours, handlers unchanged (bundles reused)", "node --require tsx/cjs main.ts (warm)", runs, () => runNode(["--require", "tsx/cjs", "main.ts"], { CDKTF_OUTDIR: out })),
      repeat("stock style: ts-node + @cdktf/provider-aws index", "node -r ts-node/register scripts/bench/stock-main.ts", runs, () => runNode(["-r", "ts-node/register", "scripts/bench/stock-main.ts"], env)),
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface GrowthPoint {
  readonly environments: number;
  readonly stacks: number;
  readonly wallMs: number;
  readonly rssMb: number;
}

/** Synthesis cost for 1, 2, 4, 8 environments in one app (bundles reused after the first build). */
export function growth(counts: readonly number[]): GrowthPoint[] {
  const out = mkdtempSync(path.join(tmpdir(), "ddn-bench-growth-"));
  try {
    runNode(["--require", "tsx/cjs", "scripts/bench/synth-many.ts", "1"], { CDKTF_OUTDIR: out }); // warm the bundle cache
    return counts.map((n) => {
      const r = runNode(["--require", "tsx/cjs", "scripts/bench/synth-many.ts", String(n)], { CDKTF_OUTDIR: out });
      progress(`growth: ${n} environment(s) ${r.ms.toFixed(0)} ms, ${r.rssMb.toFixed(0)} MB`);
      return { environments: n, stacks: n * 4, wallMs: r.ms, rssMb: r.rssMb };
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
