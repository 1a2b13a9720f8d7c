import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, type EnvironmentConfig } from "../config";
import { API_GATEWAY_QUOTAS } from "../config/aws-quotas";
import { HTTP_METHODS, type FunctionDefinition, type PipelineFunction } from "./function-declaration";
import { PROJECT_ROOT } from "./project-root";
import layout from "./layout.json";
import { DEFAULT_OBJECT_CREATED_EVENTS, filtersOverlap } from "./s3-filters";

/**
 * Where functions live: one folder per function, its handler in index.ts and its declaration in function.ts.
 * In a JSON file because synth/precompiled.js (plain JavaScript) compiles the declarations in by the same layout.
 */
const { functionsDir: FUNCTIONS_DIR, declarationFile: DECLARATION_FILE } = layout;
const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const PATH_SEGMENT = /^(?:[A-Za-z0-9._~-]+|\{[A-Za-z][A-Za-z0-9_]*\+?\})$/;

/** The folders under functions/ that declare a function, sorted (the order every stack creates them in). */
export function functionNames(root: string = PROJECT_ROOT): string[] {
  const dir = path.join(root, FUNCTIONS_DIR);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, DECLARATION_FILE)))
    .map((d) => d.name)
    .sort();
}

type DeclarationModule = { default?: FunctionDefinition };

/** Declarations compiled into a precompiled entry, by function name (see useCompiledDeclarations). */
const compiled = new Map<string, DeclarationModule>();

/**
 * Called by the entry synth/precompiled.js generates: plain node cannot require function.ts, so the declarations
 * present at compile time come compiled in. The launcher recompiles when a declaration folder appears or goes.
 */
export function useCompiledDeclarations(root: string, modules: Readonly<Record<string, DeclarationModule>>): void {
  for (const [name, mod] of Object.entries(modules)) compiled.set(path.join(root, FUNCTIONS_DIR, name, DECLARATION_FILE), mod);
}

function definitionOf(root: string, name: string): FunctionDefinition {
  const file = path.join(root, FUNCTIONS_DIR, name, DECLARATION_FILE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = compiled.get(file) ?? (require(file) as DeclarationModule);
  if (!mod.default || typeof mod.default.declare !== "function") {
    throw new Error(`${path.relative(root, file)} must \`export default defineFunction((config) => ({ ... }))\``);
  }
  return mod.default;
}

/**
 * Every declared function for one environment, with the environment's overrides applied. Throws one error that
 * lists every problem (bad names, routes declared twice, a second authorizer, subscriptions S3 would refuse,
 * overrides for functions that do not exist) before any construct is created.
 */
export function loadFunctions(config: EnvironmentConfig, root: string = PROJECT_ROOT): PipelineFunction[] {
  const functions = functionNames(root).map((name): PipelineFunction => {
    const declared = definitionOf(root, name).declare(config);
    const override = config.functions?.[name] ?? {};
    return {
      ...declared,
      name,
      entry: `${FUNCTIONS_DIR}/${name}/index.ts`,
      memoryMb: override.memoryMb ?? declared.memoryMb,
      timeoutSeconds: override.timeoutSeconds ?? declared.timeoutSeconds,
    };
  });
  checkFunctions(config, functions);
  return functions;
}

/** Throws one ConfigError listing every problem of a set of declarations for one environment. */
export function checkFunctions(config: EnvironmentConfig, functions: readonly PipelineFunction[]): void {
  const problems: string[] = [];
  const names = new Set(functions.map((f) => f.name));
  for (const f of functions) if (!FUNCTION_NAME.test(f.name)) problems.push(`${FUNCTIONS_DIR}/${f.name}: a function name must match ${FUNCTION_NAME}`);
  for (const name of Object.keys(config.functions ?? {})) {
    if (!names.has(name)) problems.push(`functions.${name}: no function "${name}" is declared (declared: ${[...names].join(", ")})`);
  }
  problems.push(...routeProblems(functions), ...routedTimeoutProblems(functions), ...subscriptionProblems(functions));
  const authorizers = functions.filter((f) => f.authorizer);
  if (authorizers.length > 1) problems.push(`only one function may be the authorizer (found ${authorizers.map((f) => f.name).join(", ")})`);
  if (config.api.auth.enabled && authorizers.length === 0 && functions.some((f) => f.routes?.some((r) => r.auth !== false))) {
    problems.push("api.auth.enabled is true but no function declares `authorizer`");
  }
  if (problems.length > 0) throw new ConfigError(problems, config.env);
}

function routeProblems(functions: readonly PipelineFunction[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const f of functions) {
    for (const r of f.routes ?? []) {
      const where = `${f.name}: route ${r.method} ${r.path}`;
      if (!(HTTP_METHODS as readonly string[]).includes(r.method)) problems.push(`${where}: method must be one of ${HTTP_METHODS.join(", ")}`);
      const segments = r.path.split("/").slice(1);
      if (!r.path.startsWith("/") || segments.some((s) => !PATH_SEGMENT.test(s))) {
        problems.push(`${where}: path must look like /files/{key+} (literal segments, {param}, or a final {param+})`);
      }
      if (segments.slice(0, -1).some((s) => s.endsWith("+}"))) problems.push(`${where}: a greedy {param+} must be the last segment`);
      const key = `${r.method} ${r.path.replace(/\{[^}]+\}/g, "{}")}`;
      const other = seen.get(key);
      if (other) problems.push(`${where}: the same route is also declared by ${other}`);
      seen.set(key, f.name);
      for (const q of Object.keys(r.query ?? {})) if (!/^[A-Za-z0-9_.-]+$/.test(q)) problems.push(`${where}: query parameter "${q}" is not a plain name`);
    }
  }
  return problems;
}

/**
 * API Gateway stops waiting for a route's function after its integration timeout and answers 504 while the function
 * runs on, its own timeout never reached: no error in its metrics, work the caller retries. The function must stop first.
 */
function routedTimeoutProblems(functions: readonly PipelineFunction[]): string[] {
  const waitSeconds = API_GATEWAY_QUOTAS.integrationTimeoutMs / 1000;
  return functions
    .filter((f) => (f.routes?.length ?? 0) > 0 && f.timeoutSeconds >= waitSeconds)
    .map(
      (f) =>
        `${f.name}: timeoutSeconds ${f.timeoutSeconds} is not below the ${waitSeconds} s API Gateway waits for its routes: a slow call would answer 504 ` +
        `while the function runs on. Set at most ${Math.ceil(waitSeconds) - 1}, or move the long work off the request (an objectCreated trigger).`,
    );
}

/** S3 refuses the whole notification configuration of a bucket if two of its rules overlap; say so at synth. */
function subscriptionProblems(functions: readonly PipelineFunction[]): string[] {
  const problems: string[] = [];
  const all = functions.flatMap((f) =>
    (f.objectCreated ?? []).map((s, i) => ({
      label: `${f.name}.objectCreated[${i}] (bucket "${s.bucket}", prefix "${s.prefix ?? ""}", suffix "${s.suffix ?? ""}")`,
      bucket: s.bucket,
      filter: { events: s.events ?? DEFAULT_OBJECT_CREATED_EVENTS, prefix: s.prefix ?? "", suffix: s.suffix ?? "" },
    })),
  );
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [a, b] = [all[i]!, all[j]!];
      if (a.bucket === b.bucket && filtersOverlap(a.filter, b.filter)) {
        problems.push(
          `${a.label} and ${b.label} overlap: S3 would refuse the bucket's whole notification configuration. ` +
            "Give them prefixes or suffixes that cannot both match one key, or subscribe one function to another bucket.",
        );
      }
    }
  }
  return problems;
}
