/** A minimal IAM policy document model: written as JSON so reviewers and the policy gate read the same text. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | Readonly<Record<string, string | readonly string[]>>;
  readonly Action: string | readonly string[];
  /** Omitted only in trust policies. */
  readonly Resource?: string | readonly string[];
  /** Instead of Resource, in a Deny: every resource but these. */
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy letting exactly one AWS service assume a role. */
export function serviceTrustPolicy(service: string): string {
  return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }]);
}
