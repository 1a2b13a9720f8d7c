import { TerraformResource } from "cdktf";
import type { IConstruct } from "constructs";
import { RULE_IDS } from "./rules";
import type { Suppression } from "./types";

const METADATA_TYPE = "ddn:policy-suppression";
const MIN_REASON_LENGTH = 20;

/**
 * Accepts one policy rule's violation on one resource, with the reason next to the resource that needs it.
 * Every suppression is printed by `npm run synth` and must be listed in the README's table of accepted exceptions.
 */
export function suppressPolicy(resource: TerraformResource, ruleId: string, reason: string): void {
  if (!RULE_IDS.has(ruleId)) throw new Error(`suppressPolicy: unknown rule "${ruleId}" on ${resource.node.path}`);
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`suppressPolicy: ${ruleId} on ${resource.node.path} needs a reason of at least ${MIN_REASON_LENGTH} characters`);
  }
  resource.node.addMetadata(METADATA_TYPE, { ruleId, reason: reason.trim() });
}

/** Suppressions declared on the resources under `scope`, keyed by Terraform address. */
export function collectSuppressions(scope: IConstruct): Suppression[] {
  const out: Suppression[] = [];
  for (const node of scope.node.findAll()) {
    if (!TerraformResource.isTerraformResource(node)) continue;
    for (const m of node.node.metadata.filter((e) => e.type === METADATA_TYPE)) {
      const { ruleId, reason } = m.data as { ruleId: string; reason: string };
      out.push({ ruleId, reason, address: `${node.terraformResourceType}.${node.friendlyUniqueId}` });
    }
  }
  return out;
}
