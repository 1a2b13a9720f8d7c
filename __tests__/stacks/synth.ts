import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { environmentNames, loadConfig, naming, type EnvironmentConfig } from "../../config";
import type { PipelineFunction } from "../../pipeline/function-declaration";
import { loadFunctions } from "../../pipeline/registry";
import { addPipeline } from "../../stacks/app";
import type { StateBackendSettings } from "../../stacks/pipeline-stack";

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

/** Every configured environment: stack tests run for each, reading expected values from its config. */
export const ENVIRONMENTS = environmentNames();

/** An environment's config, names and declared functions: where tests read what they expect. */
export function expected(env: string): { config: EnvironmentConfig; names: ReturnType<typeof naming>; functions: PipelineFunction[] } {
  const config = loadConfig(env);
  return { config, names: naming(config), functions: loadFunctions(config) };
}

/** Synthesizes every stack of one environment into a fresh temporary directory. */
export function synthEnv(env: string, backend: StateBackendSettings = {}): Synthesized {
  return synthConfig(loadConfig(env), backend);
}

/** The same for a config object (a test's variation of a configured environment). */
export function synthConfig(config: EnvironmentConfig, backend: StateBackendSettings = {}): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), `ddn-synth-${config.env}-`));
  const app = new App({ outdir, skipValidation: false });
  addPipeline(app, config, backend);
  app.synth();
  const stacks: Record<string, TfJson> = {};
  for (const name of readdirSync(path.join(outdir, "stacks"))) {
    stacks[name] = JSON.parse(readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  }
  return { outdir, stacks, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
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
