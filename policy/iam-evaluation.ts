import type { PolicyStatement } from "../constructs/policy-document";
import { matchesWildcard } from "../synth/arn-pattern";
import { asList } from "../synth/stack-view";

/** The request as IAM sees it: one action on one resource, with the condition keys the service sets. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  /** Condition keys (any case) and their values, e.g. kms:ViaService. */
  readonly context?: Readonly<Record<string, string>>;
}

export type Decision = "allow" | "explicit-deny" | "implicit-deny";

/** Whether an action pattern of a policy (wildcards, any case) covers `action`. */
export const actionMatches = (pattern: string, action: string): boolean => matchesWildcard(pattern, action, true);

/** The condition operators these policies use; any other is refused, never guessed. */
const OPERATORS: Readonly<Record<string, (pattern: string, value: string) => boolean>> = {
  StringEquals: (p, v) => p === v,
  StringLike: (p, v) => matchesWildcard(p, v),
  ArnEquals: (p, v) => p === v,
  ArnLike: (p, v) => matchesWildcard(p, v),
  Bool: (p, v) => p.toLowerCase() === v.toLowerCase(),
};

function conditionsHold(statement: PolicyStatement, context: Readonly<Record<string, string>>): boolean {
  const byKey = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(statement.Condition ?? {}).every(([operator, block]) => {
    const test = OPERATORS[operator];
    if (!test) throw new Error(`condition operator ${operator} is not evaluated here (policy/iam-evaluation.ts)`);
    return Object.entries(block).every(([key, patterns]) => {
      const value = byKey.get(key.toLowerCase());
      // A key the request does not carry fails every operator here (none of them is an ...IfExists).
      return value !== undefined && [patterns].flat().some((p) => test(String(p), value));
    });
  });
}

function applies(statement: PolicyStatement, request: IamRequest): boolean {
  const action = asList(statement.Action).some((p) => actionMatches(p, request.action));
  const resource = statement.NotResource
    ? !asList(statement.NotResource).some((p) => matchesWildcard(p, request.resource))
    : asList(statement.Resource).some((p) => matchesWildcard(p, request.resource));
  return action && resource && conditionsHold(statement, request.context ?? {});
}

/**
 * IAM's decision for one request against one policy (identity policy or permissions boundary): an explicit Deny
 * wins, then any Allow, else the implicit deny. Principals, NotAction and resource policies are out of scope.
 */
export function evaluate(statements: readonly PolicyStatement[], request: IamRequest): Decision {
  const matching = statements.filter((s) => applies(s, request));
  if (matching.some((s) => s.Effect === "Deny")) return "explicit-deny";
  return matching.some((s) => s.Effect === "Allow") ? "allow" : "implicit-deny";
}
