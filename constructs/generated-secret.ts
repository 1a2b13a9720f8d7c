import { Fn } from "cdktf";
import type { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";

/**
 * A SecureString parameter whose value Terraform generates once, at creation, and then leaves alone: no manual
 * step before the first deploy, and no secret in the repository or in any output. Trade-off: the value is in the
 * Terraform state (the state bucket is encrypted, versioned and readable only by the deploy and plan roles).
 * Rotate by putting a new value into the parameter; Terraform ignores it.
 */
export function addGeneratedSecret(scope: Construct, id: string, name: string, description: string): SsmParameter {
  return new SsmParameter(scope, id, {
    name,
    description,
    type: "SecureString",
    // Three v4 UUIDs from Terraform's uuid() (crypto/rand): 366 random bits, well above HS256's 256.
    value: Fn.join("", [Fn.uuid(), Fn.uuid(), Fn.uuid()]),
    lifecycle: { ignoreChanges: ["value"] },
  });
}
