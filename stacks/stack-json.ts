import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformOutput, TerraformStack, Token, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";

/** cdktf's own resolver (its `resolve` helper is not exported). */
export const RESOLVER = new DefaultTokenResolver(new StringConcat());

function resolveIn(stack: TerraformStack, value: unknown): unknown {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
}

/** The stack's own elements, in cdktf's order (depth first, not into nested stacks). */
export function elementsOf(stack: TerraformStack): TerraformElement[] {
  const found: TerraformElement[] = [];
  const visit = (node: IConstruct): void => {
    if (TerraformElement.isTerraformElement(node)) found.push(node);
    for (const child of node.node.children) if (!TerraformStack.isStack(child)) visit(child);
  };
  visit(stack);
  return found;
}

/** The two TerraformStack fields the assembly needs; private in cdktf's typings, so checked before use. */
interface StackInternals {
  readonly rawOverrides: Record<string, unknown>;
  readonly cdktfVersion: string;
}

function internalsOf(stack: TerraformStack): StackInternals | undefined {
  const { rawOverrides, cdktfVersion } = stack as unknown as Partial<StackInternals>;
  return typeof cdktfVersion === "string" && rawOverrides !== null && typeof rawOverrides === "object" ? { rawOverrides, cdktfVersion } : undefined;
}

/**
 * The stack's JSON as TerraformStack.toTerraform builds it, without resolving what is already resolved. cdktf
 * resolves each element's fragment, merges them and then resolves the whole stack once more: for fragments that
 * are plain JSON already (`isResolved`), both walks only copy them (about a tenth of synthesis here).
 * Undefined where cdktf's own method must run: the stack's overrides hold tokens (its final walk resolves them),
 * or the fields read here are not there (another cdktf version). A test pins the result to cdktf's own.
 */
export function assembleStackJson(stack: TerraformStack, isResolved: (element: TerraformElement) => boolean): Record<string, unknown> | undefined {
  const internals = internalsOf(stack);
  if (!internals || hasTokens(internals.rawOverrides)) return undefined;
  const overrideKeys = Object.keys(internals.rawOverrides);
  const elements = elementsOf(stack);
  const metadata: Record<string, unknown> = {
    version: internals.cdktfVersion,
    stackName: stack.node.id,
    backend: "local", // set by the backend's own metadata, as in cdktf
    cloud: undefined,
    ...(overrideKeys.length > 0 ? { overrides: { stack: overrideKeys } } : {}),
  };
  for (const element of elements) deepMerge(metadata, resolveIn(stack, element.toMetadata()));
  const outputs: Record<string, unknown> = {};
  for (const element of elements) {
    if (!TerraformOutput.isTerraformOutput(element)) continue;
    const nested = element.node.path.split("/").reduceRight<unknown>((inner, part) => ({ [part]: inner }), element.friendlyUniqueId);
    deepMerge(outputs, nested);
  }
  const tf: Record<string, unknown> = { "//": resolveIn(stack, { metadata, outputs }) };
  for (const element of elements) deepMerge(tf, isResolved(element) ? element.toTerraform() : resolveIn(stack, element.toTerraform()));
  deepMerge(tf, internals.rawOverrides);
  return tf;
}

/** Whether a value holds anything cdktf would still resolve. */
function hasTokens(value: unknown): boolean {
  if (Tokenization.isResolvable(value)) return true;
  if (typeof value === "string" || typeof value === "number") return Token.isUnresolved(value);
  if (Array.isArray(value)) return Token.isUnresolved(value) || value.some(hasTokens);
  if (value !== null && typeof value === "object") return Object.entries(value).some(([key, v]) => Token.isUnresolved(key) || hasTokens(v));
  return false;
}

/** cdktf's deepMerge (not exported), for resolved data: objects merge, arrays append, undefined deletes. */
function deepMerge(target: Record<string, unknown>, source: unknown): void {
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    if (Array.isArray(value)) {
      const existing = target[key];
      target[key] = Array.isArray(existing) ? [...(existing as unknown[]), ...value] : value;
    } else if (value !== null && typeof value === "object") {
      if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
      deepMerge(target[key] as Record<string, unknown>, value);
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}
