import { Fn, type TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";

export interface GeneratedSecretOptions {
  /** The SSM parameter's full name. */
  readonly name: string;
  readonly description: string;
  /** The provider of the parameter's region. */
  readonly provider: TerraformProvider;
}

/**
 * A SecureString parameter whose value Terraform generates at creation and never keeps: `value_wo` is a write-only
 * argument (Terraform >= 1.11), absent from plans and state, so reading the state does not reveal the secret.
 * No manual step before the first deploy, and no secret in the repository or in any output. Rotate by writing a new
 * value into the parameter (Terraform neither reads nor compares it), or by raising `value_wo_version`.
 */
export function addGeneratedSecret(scope: Construct, id: string, { name, description, provider }: GeneratedSecretOptions): SsmParameter {
  return new SsmParameter(scope, id, {
    provider,
    name,
    description,
    type: "SecureString",
    // Three v4 UUIDs from Terraform's uuid() (crypto/rand): 366 random bits, well above HS256's 256.
    valueWo: Fn.join("", [Fn.uuid(), Fn.uuid(), Fn.uuid()]),
    // Written when created and whenever this number changes, never otherwise.
    valueWoVersion: 1,
    // Adopts a parameter of this name that already exists (environments' storage stacks created it before the
    // bootstrap did): its value is replaced once, so tokens signed with the old one stop verifying.
    overwrite: true,
  });
}
