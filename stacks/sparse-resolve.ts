import { Token, Tokenization } from "cdktf";

/**
 * What in a string makes cdktf's resolver act on it: a token marker (string, list or map: `${TfToken[`,
 * `#{TfToken[`, `&{TfToken[`) or what its encoded-number pattern matches (digits around an `e`). cdktf returns a
 * string with neither unchanged.
 */
const MAY_HOLD_TOKEN = /TfToken\[|[-|\d.+]e[-|\d.eE+]/;
const LIST_TOKEN_MARKER = "#{TfToken[";

const isPlainString = (s: string): boolean => s !== Token.STRING_MAP_TOKEN_VALUE && s !== Token.ANY_MAP_TOKEN_VALUE && !MAY_HOLD_TOKEN.test(s);

/**
 * cdktf's resolve, applied only where there is something to resolve. cdktf's resolver takes every string, key and
 * number of an element's JSON through up to three regular expressions and a fresh context each; most of an
 * element is plain JSON. This walks the plain parts the way cdktf does (same key order, undefined dropped from
 * objects and arrays, Dates and booleans kept) and hands cdktf (`resolveLeaf`) everything else: strings with a
 * token marker, numbers, tokens, arrays holding a number or a list token, objects with a token in a key, and a
 * construct's node (cdktf refuses it).
 */
export function resolveSparsely(value: unknown, resolveLeaf: (leaf: unknown) => unknown): unknown {
  try {
    return new SparseWalk(resolveLeaf).walk(value);
  } catch {
    // cdktf names the path of what it refuses from where its walk began: resolving the whole value again throws
    // cdktf's own error, path included (a leaf's error would say '/').
    return resolveLeaf(value);
  }
}

class SparseWalk {
  constructor(private readonly resolveLeaf: (leaf: unknown) => unknown) {}

  walk(v: unknown): unknown {
    if (v === undefined || v === null || typeof v === "boolean") return v;
    if (typeof v === "string") return isPlainString(v) ? v : this.resolveLeaf(v);
    if (typeof v !== "object" || Tokenization.isResolvable(v)) return this.resolveLeaf(v);
    if (v instanceof Date) return v;
    return Array.isArray(v) ? this.walkArray(v) : this.walkObject(v as Record<string, unknown>);
  }

  private walkArray(v: unknown[]): unknown {
    if (v.some((x) => typeof x === "number" || (typeof x === "string" && x.includes(LIST_TOKEN_MARKER)))) return this.resolveLeaf(v);
    const out: unknown[] = [];
    for (const x of v) {
      const r = this.walk(x);
      if (r !== undefined) out.push(r);
    }
    return out;
  }

  private walkObject(v: Record<string, unknown>): unknown {
    const keys = Object.keys(v);
    const maybeNode = v as { _children?: unknown; _metadata?: unknown };
    const isConstructNode = maybeNode._children !== undefined && maybeNode._metadata !== undefined;
    if (isConstructNode || !keys.every(isPlainString)) return this.resolveLeaf(v);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const r = this.walk(v[key]);
      if (r !== undefined) out[key] = r;
    }
    return out;
  }
}
