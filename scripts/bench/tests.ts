import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { progress, removeScratch, ROOT, scratchDir } from "./measure";

/** Suites that need Terraform (and the provider mirror) or Chromium: measured apart from the rest. */
export const HEAVY_SUITES = /__tests__\/(terraform|browser)\//;

export interface SuiteCost {
  readonly suite: string;
  readonly tests: number;
  readonly seconds: number;
}

export interface TestCosts {
  /** scripts/typecheck.js (`npm run typecheck`). */
  readonly typecheckSeconds: number;
  /** jest wall time of every suite but the Terraform and browser ones. */
  readonly lightSeconds: number;
  /** jest wall time of the Terraform and browser suites. */
  readonly heavySeconds: number;
  readonly suites: readonly SuiteCost[];
  /** The worker count jest.config.js gives jest here (suites run this many at a time). */
  readonly workers: number;
}

function timed(args: string[], env: Record<string, string> = {}): { seconds: number; status: number | null; stderr: string } {
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "true", ...env }, maxBuffer: 256 * 1024 * 1024 });
  return { seconds: (Date.now() - started) / 1000, status: r.status, stderr: r.stderr };
}

interface JestJson {
  readonly testResults: ReadonlyArray<{ name: string; startTime: number; endTime: number; assertionResults: readonly unknown[] }>;
}

/** What `npm test` costs: the type check, then jest in two runs (light suites, heavy suites), suite by suite. */
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
      return { seconds: r.seconds, results: (JSON.parse(readFileSync(file, "utf8")) as JestJson).testResults };
    };
    const light = jest("light", ["--testPathIgnorePatterns", HEAVY_SUITES.source.replace(/\\\//g, "/")]);
    const heavy = jest("heavy", ["--testPathPattern", HEAVY_SUITES.source.replace(/\\\//g, "/")]);
    const suites = [...light.results, ...heavy.results]
      .map((t) => ({ suite: path.relative(ROOT, t.name), tests: t.assertionResults.length, seconds: (t.endTime - t.startTime) / 1000 }))
      .sort((a, b) => b.seconds - a.seconds);
    return { typecheckSeconds: tsc.seconds, lightSeconds: light.seconds, heavySeconds: heavy.seconds, suites, workers: (require(path.join(ROOT, "jest.config.js")) as { maxWorkers: number }).maxWorkers };
  } catch (error) {
    progress(String(error instanceof Error ? error.message : error));
    return undefined;
  } finally {
    removeScratch(dir);
  }
}
