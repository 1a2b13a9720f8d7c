export type { TfJson, TfResourceBody } from "../synth/stack-view";
import type { StackView } from "../synth/stack-view";

export interface GateOptions {
  /** Whether the environment turns the API authorizer on (the authorizer rule applies only then). */
  readonly authEnabled: boolean;
  /** Routes that must carry an authorizer, e.g. ["GET /files/{key+}"]. */
  readonly protectedRoutes: readonly string[];
  /** Query parameters API Gateway must require, per route, e.g. { "GET /presign": ["file"] }. */
  readonly requiredQueryParameters: Readonly<Record<string, readonly string[]>>;
  /** Services that may assume roles defined here. */
  readonly trustedServices: readonly string[];
}

export interface Finding {
  /** Terraform address, e.g. aws_s3_bucket.in-bucket */
  readonly address: string;
  readonly message: string;
}

export interface Rule {
  readonly id: string;
  readonly title: string;
  /** One line: why the rule exists. */
  readonly rationale: string;
  /** What to change so the rule passes. */
  readonly fix: string;
  /** Equivalent Checkov / cdk-nag rule ids ("—" where none exists). */
  readonly checkov: string;
  readonly cdkNag: string;
  check(stack: StackView, options: GateOptions): Finding[];
}

export interface Violation extends Finding {
  readonly ruleId: string;
  readonly fix: string;
  /** Construct path, for finding the code that made the resource. */
  readonly constructPath?: string;
}

export interface Suppression {
  readonly ruleId: string;
  readonly address: string;
  readonly reason: string;
}

export interface GateResult {
  readonly violations: readonly Violation[];
  readonly suppressed: readonly Suppression[];
}
