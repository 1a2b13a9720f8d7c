import { ENVIRONMENTS } from "./environments";
import type { EnvironmentConfig } from "./types";
import { validateConfig } from "./validate";

export * from "./types";
export { ConfigError, validateConfig } from "./validate";

export const DEFAULT_ENV = "dev";

export class UnknownEnvironmentError extends Error {
  constructor(env: string) {
    super(`Unknown environment "${env}" (DDN_ENV). Valid environments: ${Object.keys(ENVIRONMENTS).join(", ")}.`);
    this.name = "UnknownEnvironmentError";
  }
}

export function environmentNames(): string[] {
  return Object.keys(ENVIRONMENTS);
}

/** The validated settings of one environment; throws a clear error for an unknown name or a bad value. */
export function loadConfig(env: string = DEFAULT_ENV): EnvironmentConfig {
  const config = Object.prototype.hasOwnProperty.call(ENVIRONMENTS, env) ? ENVIRONMENTS[env] : undefined;
  if (!config) throw new UnknownEnvironmentError(env);
  validateConfig(config);
  return config;
}

/** The four stacks of an environment, in dependency order: each may reference only those before it. */
export const STACK_PARTS = ["storage", "iam", "compute", "api"] as const;
export type StackPart = (typeof STACK_PARTS)[number];

/** Names every stack and resource derives from, so IAM can scope to a log group or queue before it exists. */
export function naming(c: EnvironmentConfig) {
  const prefix = `${c.app}-${c.env}`;
  return {
    prefix,
    stack: (part: StackPart) => `${prefix}-${part}`,
    functionName: (fn: string) => `${prefix}-${fn}`,
    logGroup: (fn: string) => `/aws/lambda/${prefix}-${fn}`,
    role: (fn: string) => `${prefix}-${fn}`,
    /** On-failure destination of a function's asynchronous (event) invocations. */
    failureQueue: (fn: string) => `${prefix}-${fn}-failures`,
    table: `${prefix}-files`,
    api: `${prefix}-api`,
    accessLogGroup: `/aws/apigateway/${prefix}-api`,
    alarmTopic: `${prefix}-alarms`,
    /** `<prefix>-<what>`, e.g. ddn-dev-process-errors. */
    alarm: (what: string) => `${prefix}-${what}`,
  };
}
export type Naming = ReturnType<typeof naming>;
