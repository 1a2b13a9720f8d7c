import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import * as path from "node:path";
import { progress, removeScratch, ROOT, scratchDir } from "./measure";

/** Suites that need Terraform (and the provider mirror) or Chromium: measured apart from the rest. */
export const HEAVY_SUITES = /__tests__\/(terraform|browser)\//;

export interface SuiteCost {
  readonly suite: string;
  readonly tests: number;
  /** Wall time in the jest run, beside the suites the other workers ran. */
  readonly seconds: number;
  /** CPU seconds of the machine while the suite ran alone (light suites only; see cpuSeconds). */
  readonly cpuAlone?: number;
}

export interface TestCosts {
  /** scripts/typecheck.js (`npm run typecheck`). */
  readonly typecheckSeconds: number;
  /** jest wall time of every suite but the Terraform and browser ones. */
  readonly lightSeconds: number;
  /** CPU seconds of the machine during that run. */
  readonly lightCpu: number;
  /** CPU seconds of jest's start and end with nothing to run, included in each suite's cpuAlone. */
  readonly jestStartCpu: number;
  /** jest wall time of the Terraform and browser suites. */
  readonly heavySeconds: number;
  readonly suites: readonly SuiteCost[];
  /** The worker count jest.config.js gives jest here (suites run this many at a time). */
  readonly workers: number;
}

/**
 * CPU seconds the machine has spent (user, nice, system, irq, over every core) since boot. Machine-wide, not the
 * child's own: a suite's cost is mostly in processes it starts, and the launcher's esbuild service outlives its
 * parent unwaited, so a parent's count of its children's time would miss it. The bench wants a quiet machine anyway.
 */
function cpuSeconds(): number {
  return cpus().reduce((sum, { times: t }) => sum + t.user + t.nice + t.sys + t.irq, 0) / 1000;
}

function timed(args: string[], env: Record<string, string> = {}): { seconds: number; cpu: number; status: number | null; stderr: string } {
  const started = Date.now();
  const cpuBefore = cpuSeconds();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "true", ...env }, maxBuffer: 256 * 1024 * 1024 });
  return { seconds: (Date.now() - started) / 1000, cpu: cpuSeconds() - cpuBefore, status: r.status, stderr: r.stderr };
}

interface JestJson {
  readonly testResults: ReadonlyArray<{ name: string; startTime: number; endTime: number; assertionResults: readonly unknown[] }>;
}

/** What `npm test` costs: the type check, then jest in two runs (light suites, heavy suites), suite by suite, and each light suite again alone for its CPU. */
export function testCosts(): TestCosts | undefined {
  const dir = scratchDir("tests");
  try {
    progress("npm test: type check");
    const tsc = timed(["scripts/typecheck.js"]);
    if (tsc.status !== 0) return undefined;
    const jest = (name: string, pattern: string[]) => {
      progress(`npm test: jest (${name} suites)`);
      const file = path.join(dir, `${name}.json`);
      const r = timed(["node_modules/jest/bin/jest.js", "--silent", "--json", `--outputFile=${file}`, ...pattern]);
      if (r.status !== 0) throw new Error(`jest (${name}) failed:\n${r.stderr.slice(-4000)}`);
      return { seconds: r.seconds, cpu: r.cpu, results: (JSON.parse(readFileSync(file, "utf8")) as JestJson).testResults };
    };
    const light = jest("light", ["--testPathIgnorePatterns", HEAVY_SUITES.source.replace(/\\\//g, "/")]);
    const heavy = jest("heavy", ["--testPathPattern", HEAVY_SUITES.source.replace(/\\\//g, "/")]);
    // Each light suite again, alone and in band: what it costs with nothing beside it.
    const alone = new Map(
      light.results.map((t, i) => {
        progress(`npm test: ${path.relative(ROOT, t.name)} alone (${i + 1}/${light.results.length})`);
        const r = timed(["node_modules/jest/bin/jest.js", "--silent", "--runInBand", t.name]);
        if (r.status !== 0) throw new Error(`jest (${t.name} alone) failed:\n${r.stderr.slice(-4000)}`);
        return [t.name, r.cpu] as const;
      }),
    );
    // jest's start and end with nothing to run (config and test search; no global setup without a suite).
    const start = timed(["node_modules/jest/bin/jest.js", "--silent", "--runInBand", "--passWithNoTests", "--testPathPattern", "^$"]);
    const suites = [...light.results, ...heavy.results]
      .map((t) => ({ suite: path.relative(ROOT, t.name), tests: t.assertionResults.length, seconds: (t.endTime - t.startTime) / 1000, cpuAlone: alone.get(t.name) }))
      .sort((a, b) => b.seconds - a.seconds);
    return {
      typecheckSeconds: tsc.seconds,
      lightSeconds: light.seconds,
      lightCpu: light.cpu,
      jestStartCpu: start.cpu,
      heavySeconds: heavy.seconds,
      suites,
      workers: (require(path.join(ROOT, "jest.config.js")) as { maxWorkers: number }).maxWorkers,
    };
  } catch (error) {
    progress(String(error instanceof Error ? error.message : error));
    return undefined;
  } finally {
    removeScratch(dir);
  }
}
