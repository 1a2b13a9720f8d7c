import type { App, TerraformStack } from "cdktf";

const SHARED = Symbol.for("ddn/shared-cross-stack-references");

/**
 * Makes the app answer each cross-stack reference (origin stack, using stack, identifier) with one token.
 * Pitfall: cdktf's App.crossStackReference makes a new remote-state token on every call, and it is called each
 * time a reference resolves while preparing: 61 times per environment here for 23 references, each token
 * capturing its creation stack and joining the global token map. Its other effects (the dependency, the
 * output, the remote state) are already kept once per key by the stacks, so one token per key changes nothing
 * that is written (a test pins the output to cdktf's own).
 */
export function shareCrossStackReferences(app: App): void {
  const marked = app as App & { [SHARED]?: true };
  if (marked[SHARED]) return;
  const make = app.crossStackReference.bind(app);
  const made = new Map<string, string>();
  Object.defineProperty(app, SHARED, { value: true });
  // An own property over the class's method: the one app of this process, not every App.
  app.crossStackReference = (fromStack: TerraformStack, toStack: TerraformStack, identifier: string): string => {
    const key = `${fromStack.node.path}\n${toStack.node.path}\n${identifier}`;
    let reference = made.get(key);
    if (reference === undefined) {
      reference = make(fromStack, toStack, identifier);
      made.set(key, reference);
    }
    return reference;
  };
}
