import { TerraformStack, type TerraformResource } from "cdktf";
import type { Construct } from "constructs";

/**
 * A resource's Terraform address ("aws_x.id") as a plain string, for depends_on and references within one stack.
 * Not `fqn` or the dependsOn option: each of those makes a token that captures its creation stack (~85 µs here)
 * and is resolved again at every synth. A resource of another stack needs cdktf's cross-stack reference: refused.
 */
export function addressInStack(resource: TerraformResource, scope: Construct): string {
  if (TerraformStack.of(resource) !== TerraformStack.of(scope)) throw new Error(`${resource.node.path} is not in the stack of ${scope.node.path}`);
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/** Adds resources of the same stack to a resource's depends_on (as the dependsOn option would write them); returns it. */
export function dependOn<T extends TerraformResource>(resource: T, dependencies: readonly TerraformResource[]): T {
  resource.dependsOn = [...(resource.dependsOn ?? []), ...dependencies.map((d) => addressInStack(d, resource))];
  return resource;
}
