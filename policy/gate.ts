import { TerraformStack } from "cdktf";
import type { IValidation } from "constructs";
import type { EnvironmentConfig } from "../config";
import type { PipelineFunction } from "../pipeline/function-declaration";
import { evaluate, formatViolation } from "./engine";
import { collectSuppressions } from "./suppressions";
import type { GateOptions, GateResult, TfJson } from "./types";

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

/**
 * The policy gate as a cdktf validation: it runs on each stack's final JSON during synthesis (under
 * `npm run synth` and `cdktf synth` alike) and a violation fails the synth with rule id, address and fix.
 */
export class PolicyGate implements IValidation {
  result: GateResult = { violations: [], suppressed: [] };
  private passed: TfJson | undefined;

  constructor(private readonly stack: TerraformStack, private readonly options: GateOptions) {}

  validate(): string[] {
    const json = this.stack.toTerraform() as TfJson;
    this.result = evaluate(json, this.options, collectSuppressions(this.stack));
    this.passed = this.result.violations.length === 0 ? json : undefined;
    return this.result.violations.map((v) => `policy ${formatViolation(v)}`);
  }

  /**
   * The JSON that just passed, once: cdktf validates a stack and then writes it with nothing run in between that
   * changes it, so the writer can take the checked JSON instead of resolving the stack a second time. Why once:
   * a later call (another stack's references added after this one was written) must resolve afresh.
   */
  takePassed(): TfJson | undefined {
    const json = this.passed;
    this.passed = undefined;
    return json;
  }
}
