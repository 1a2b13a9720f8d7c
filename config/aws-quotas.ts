/**
 * AWS quotas this project checks before AWS does: at synth (the registry, the policy gate) and in the local
 * stand-ins, which would otherwise take what AWS refuses. None can be raised unless its comment says so.
 */

/** API Gateway, REST APIs. */
export const API_GATEWAY_QUOTAS = {
  /** A request's payload; over it API Gateway answers 413 in plain text, before any authorizer or integration. */
  payloadBytes: 10_485_760,
  /**
   * How long API Gateway waits for an integration that sets no `timeout_milliseconds` (this project's set none):
   * then it answers 504 while the function runs on. Regional APIs may raise it through a quota request.
   */
  integrationTimeoutMs: 29_000,
} as const;

/** AWS Lambda. */
export const LAMBDA_QUOTAS = {
  /** A synchronous invocation's event, as JSON ("Request must be smaller than 6291456 bytes for the InvokeFunction operation"). */
  syncRequestBytes: 6_291_456,
  /** A synchronous invocation's response, as JSON ("… maximum allowed payload size (6291556 bytes)"); API Gateway then answers 502. */
  syncResponseBytes: 6_291_556,
  /** A function's environment variables, measured as their JSON object ("… exceeded the 4KB limit. String measured: {…}"). */
  environmentBytes: 4096,
} as const;

/** IAM, in characters without white space: over them the apply fails (LimitExceeded, "Maximum policy size … exceeded"). */
export const IAM_POLICY_QUOTAS = {
  /** A customer managed policy (the permissions boundaries). */
  managedPolicy: 6144,
  /** All inline policies of one role together. */
  roleInlinePolicies: 10240,
  /** A role's trust policy (the default quota; accounts may raise it). */
  trustPolicy: 2048,
} as const;
