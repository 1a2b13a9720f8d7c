import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { environmentNames, loadConfig, naming, type EnvironmentConfig } from "../../config";
import type { PipelineFunction } from "../../pipeline/function-declaration";
import { loadFunctions } from "../../pipeline/registry";
import type { StateBackendSettings } from "../../stacks/state-backend";
import { appArgs } from "../app-command";
import { SHARED_SYNTH_DIR } from "../global-setup";

export type TfJson = {
  terraform: Record<string, any>;
  provider?: Record<string, any>;
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
};

export interface Synthesized {
  readonly outdir: string;
  readonly stacks: Record<string, TfJson>;
  cleanup(): void;
}

const ROOT = path.resolve(__dirname, "../..");

/** Every configured environment: stack tests run for each, reading expected values from its config. */
export const ENVIRONMENTS = environmentNames();

/** An environment's config, names and declared functions: where tests read what they expect. */
export function expected(env: string): { config: EnvironmentConfig; names: ReturnType<typeof naming>; functions: PipelineFunction[] } {
  const config = loadConfig(env);
  return { config, names: naming(config), functions: loadFunctions(config) };
}

/** The stacks' JSON of an output directory, by stack name. */
export function readStacks(outdir: string): Record<string, TfJson> {
  const dir = path.join(outdir, "stacks");
  return Object.fromEntries(readdirSync(dir).map((name) => [name, JSON.parse(readFileSync(path.join(dir, name, "cdk.tf.json"), "utf8")) as TfJson]));
}

/**
 * Rewrites one stack's JSON in an output directory (a copy or a fresh synth, never the shared one): `edit` changes it
 * in place, as a test that removes or alters a resource needs.
 */
// Synthesized JSON is arbitrary; the edits reach into it by resource type and name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function editStack(outdir: string, stack: string, edit: (json: any) => void): void {
  const file = path.join(outdir, "stacks", stack, "cdk.tf.json");
  const json: unknown = JSON.parse(readFileSync(file, "utf8"));
  edit(json);
  writeFileSync(file, JSON.stringify(json));
}

/** What `npm run synth` (cdktf.json's app, run as cdktf runs it) writes for one environment and state backend. */
function runSynth(env: string, backend: StateBackendSettings, outdir: string): void {
  const r = spawnSync(process.execPath, appArgs(ROOT), {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, DDN_ENV: env, CDKTF_OUTDIR: outdir, TF_STATE_BUCKET: backend.bucket ?? "", TF_STATE_REGION: backend.region ?? "" },
  });
  if (r.status !== 0) throw new Error(`synth of ${env} failed (exit ${r.status}):\n${r.stderr}`);
}

/** A synth of one's own, to change or to compare with another synth; cleanup() removes it. */
export function freshSynthEnv(env: string, backend: StateBackendSettings = {}): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), `ddn-synth-${env}-`));
  try {
    runSynth(env, backend, path.join(outdir, "out"));
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  const out = path.join(outdir, "out");
  return { outdir: out, stacks: readStacks(out), cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/**
 * Every stack of one environment as `npm run synth` writes it, synthesized once per jest run and shared by every
 * suite that asks for the same environment and backend (the jest run's global setup makes the directory, and its
 * teardown removes it). Read it, never change it: freshSynthEnv gives a synth of one's own.
 * Why: each suite synthesizing for itself loaded cdktf and synthesized the same stacks again, about 1.5 s a suite.
 */
export function synthEnv(env: string, backend: StateBackendSettings = {}): Synthesized {
  const shared = process.env[SHARED_SYNTH_DIR];
  if (!shared || !existsSync(shared)) return freshSynthEnv(env, backend);
  const key = createHash("sha1").update(JSON.stringify({ env, backend })).digest("hex").slice(0, 12);
  const outdir = path.join(shared, `${env}-${key}`);
  if (!existsSync(outdir)) {
    // Two jest workers may synthesize the same environment at once: each writes its own, the first rename wins.
    const own = mkdtempSync(`${outdir}.`);
    runSynth(env, backend, path.join(own, "out"));
    try {
      renameSync(path.join(own, "out"), outdir);
    } catch (error) {
      if (!existsSync(outdir)) throw error;
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }
  return { outdir, stacks: readStacks(outdir), cleanup: () => undefined };
}

/** All resources of a type in one stack, by logical name. */
export function resources(stack: TfJson, type: string): Record<string, any> {
  return stack.resource?.[type] ?? {};
}

export function only(stack: TfJson, type: string): any {
  const all = Object.values(resources(stack, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** Resource bodies without cdktf's "//" metadata, for readable assertions. */
export function list(stack: TfJson, type: string): any[] {
  return Object.values(resources(stack, type));
}
