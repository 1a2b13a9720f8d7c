import type { PolicyStatement } from "./policy-document";

/** The SSM actions that return parameter values, decrypted when a parameter is a SecureString. */
export const PARAMETER_READS: readonly string[] = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"];

/** Where a statement applies: the account and region, and the partition's DNS suffix (data aws_partition). */
export interface DecryptionScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly dnsSuffix: string;
}

/**
 * kms:Decrypt of SecureString parameters, only as SSM does it for the caller (GetParameter with decryption) and only
 * for these parameters: Parameter Store puts the parameter's ARN in the encryption context (PARAMETER_ARN). Pitfall:
 * SSM decrypts with the caller's own kms:Decrypt. The aws/ssm key's policy grants that to every principal of the
 * account, but whether such a grant gets past a role's permissions boundary is documented for role and session ARNs,
 * not for `*`; so both the role's policy and its boundary allow it, no wider than this.
 */
export function parameterDecryption(sid: string, scope: DecryptionScope, parameterArns: string | readonly string[]): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: "kms:Decrypt",
    // The key: any of the account's in the region (the aws/ssm key's id differs per account and cannot be named).
    Resource: `arn:${scope.partition}:kms:${scope.region}:${scope.account}:key/*`,
    Condition: {
      StringEquals: { "kms:ViaService": `ssm.${scope.region}.${scope.dnsSuffix}` },
      StringLike: { "kms:EncryptionContext:PARAMETER_ARN": parameterArns },
    },
  };
}
