import { TerraformStack } from "cdktf";
import type { IValidation } from "constructs";
import { evaluate, formatViolation } from "./engine";
import { collectSuppressions } from "./suppressions";
import type { GateOptions, GateResult, TfJson } from "./types";

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
