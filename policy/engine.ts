import { RULES } from "./rules";
import { StackView } from "../synth/stack-view";
import type { GateOptions, GateResult, Rule, Suppression, TfJson, Violation } from "./types";

/** Runs every rule over one stack's synthesized JSON; suppressed findings are reported apart, not dropped. */
export function evaluate(json: TfJson, options: GateOptions, suppressions: readonly Suppression[] = [], rules: readonly Rule[] = RULES): GateResult {
  const stack = new StackView(json);
  const violations: Violation[] = [];
  const used: Suppression[] = [];
  for (const rule of rules) {
    for (const finding of rule.check(stack, options)) {
      const suppression = suppressions.find((s) => s.ruleId === rule.id && s.address === finding.address);
      if (suppression) {
        if (!used.includes(suppression)) used.push(suppression);
        continue;
      }
      const constructPath = stack.constructPath(finding.address);
      violations.push({ ...finding, ruleId: rule.id, fix: rule.fix, ...(constructPath ? { constructPath } : {}) });
    }
  }
  return { violations, suppressed: used };
}

export function formatViolation(v: Violation): string {
  return `${v.ruleId} ${v.address}${v.constructPath ? ` (${v.constructPath})` : ""}: ${v.message}.\n    Fix: ${v.fix}`;
}
