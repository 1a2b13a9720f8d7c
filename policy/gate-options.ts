import type { EnvironmentConfig } from "../config";
import type { PipelineFunction } from "../pipeline/function-declaration";
import type { GateOptions } from "./types";

// Apart from the gate (policy/gate.ts, a cdktf validation): what evaluates synthesized JSON needs these, not cdktf.

/** What the gate must see in the synthesized API, derived from the routes the functions declare. */
export function gateOptions(config: EnvironmentConfig, functions: readonly PipelineFunction[]): GateOptions {
  const routes = functions.flatMap((f) => f.routes ?? []);
  return {
    authEnabled: config.api.auth.enabled,
    protectedRoutes: routes.filter((r) => r.auth !== false).map((r) => `${r.method} ${r.path}`),
    requiredQueryParameters: Object.fromEntries(
      routes
        .map((r) => [`${r.method} ${r.path}`, Object.entries(r.query ?? {}).filter(([, required]) => required).map(([name]) => name)] as const)
        .filter(([, names]) => names.length > 0),
    ),
    trustedServices: ["lambda.amazonaws.com", "apigateway.amazonaws.com"],
  };
}

/** For stacks without an API or functions of their own (the bootstrap). */
export const NO_API_GATE_OPTIONS: GateOptions = { authEnabled: false, protectedRoutes: [], requiredQueryParameters: {}, trustedServices: [] };
