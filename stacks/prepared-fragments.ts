import { type TerraformElement, type TerraformStack, Tokenization } from "cdktf";
import { resolveSparsely } from "./sparse-resolve";
import { assembleStackJson, elementsOf, RESOLVER } from "./stack-json";

/**
 * cdktf resolves every element of a stack twice per synth: once "preparing" (prepareStack: that pass finds the
 * cross-stack references and adds their outputs and remote states), then again to write the stack. Both passes
 * resolve the same tokens in the same stack to the same values, so the first pass's fragment is what the
 * element's toTerraform returns in the second: a third of synthesis, and most of what an environment costs.
 * Pitfall: an element changed after the first pass would be written stale, so the fragments are held only until
 * the stack's next toTerraform (release): an element changed after a synth is resolved afresh.
 */
export class PreparedFragments {
  private held: TerraformElement[] = [];

  /** What TerraformStack.prepareStack does, keeping each element's resolved fragment. */
  prepare(stack: TerraformStack): void {
    this.release();
    stack.ensureBackendExists();
    for (const element of elementsOf(stack)) {
      const fragment = resolveSparsely(element.toTerraform(), (leaf) => Tokenization.resolve(leaf, { scope: stack, preparing: true, resolver: RESOLVER }));
      // An own property over the prototype's method: release() deletes it, and the class's method is back.
      Object.defineProperty(element, "toTerraform", { value: () => fragment, configurable: true, writable: true });
      this.held.push(element);
    }
  }

  /** The stack's JSON from the held fragments, without resolving them again (see assembleStackJson). */
  assemble(stack: TerraformStack): Record<string, unknown> | undefined {
    const held = new Set(this.held);
    return assembleStackJson(stack, (element) => held.has(element));
  }

  release(): void {
    for (const element of this.held) delete (element as { toTerraform?: unknown }).toTerraform;
    this.held = [];
  }
}

