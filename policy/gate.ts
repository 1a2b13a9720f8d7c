import { TerraformStack } from "cdktf";
import type { IValidation } from "constructs";
import type { EnvironmentConfig } from "../config";
import { evaluate, formatViolation } from "./engine";
import { collectSuppressions } from "./suppressions";
import type { GateOptions, GateResult, TfJson } from "./types";

export function gateOptions(config: EnvironmentConfig): GateOptions {
  return {
    authEnabled: config.api.auth.enabled,
    protectedPaths: ["presign", "files"],
    requiredQueryParameters: { presign: ["file"] },
    trustedServices: ["lambda.amazonaws.com", "apigateway.amazonaws.com"],
  };
}

/**
 * The policy gate as a cdktf validation: it runs on each stack's final JSON during synthesis (under
 * `npm run synth` and `cdktf synth` alike) and a violation fails the synth with rule id, address and fix.
 */
export class PolicyGate implements IValidation {
  result: GateResult = { violations: [], suppressed: [] };

  constructor(private readonly stack: TerraformStack, private readonly options: GateOptions) {}

  validate(): string[] {
    const json = this.stack.toTerraform() as TfJson;
    this.result = evaluate(json, this.options, collectSuppressions(this.stack));
    return this.result.violations.map((v) => `policy ${formatViolation(v)}`);
  }
}
