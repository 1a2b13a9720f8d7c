import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App, Fn, Lazy, TerraformLocal, TerraformStack, Token, Tokenization } from "cdktf";
import { resolveSparsely } from "../../stacks/sparse-resolve";
import { RESOLVER } from "../../stacks/stack-json";

// stacks/sparse-resolve.ts walks the plain parts of an element itself and hands cdktf the rest. What must hold:
// for any value, the result (or the error) is cdktf's own; the whole app is pinned by prepared-fragments.test.ts.
let outdir: string;
let stack: TerraformStack;
let local: TerraformLocal;
beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), "ddn-sparse-"));
  stack = new TerraformStack(new App({ outdir }), "s");
  local = new TerraformLocal(stack, "l", ["a", "b"]);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const options = (preparing: boolean) => ({ scope: stack, preparing, resolver: RESOLVER });
const cdktf = (value: unknown, preparing = true): unknown => Tokenization.resolve(value, options(preparing));
const sparse = (value: unknown, preparing = true): unknown => resolveSparsely(value, (leaf) => Tokenization.resolve(leaf, options(preparing)));

const when = new Date(0);
const cases: Array<[string, () => unknown]> = [
  ["plain JSON, nested", () => ({ a: { b: [{ c: "d", e: true, f: null }], g: [] }, h: {} })],
  ["undefined dropped from objects and arrays", () => ({ a: undefined, b: [1, undefined, "x", undefined], c: { d: undefined } })],
  ["numbers, plain and in arrays", () => ({ n: 3, list: [1, 2.5, -4], mixed: ["a", 7] })],
  ["strings cdktf's number pattern matches", () => ({ a: "1e5", b: "size 2.5e-3 units", "3e4": "key too" })],
  ["a Terraform expression written by hand", () => ({ a: "${var.region}", b: "$${literal}", c: "TfToken[ alone" })],
  ["a Date and a boolean", () => ({ when, yes: false })],
  ["a reference inside a string", () => ({ arn: `arn:aws:s3:::${local.asString}/*` })],
  ["a reference as a number", () => ({ memory: local.asNumber, list: [local.asNumber] })],
  ["a list token", () => ({ ids: local.asList, nested: [{ ids: local.asList }] })],
  ["a map token (in a key)", () => ({ tags: Token.asStringMap(local.expression) })],
  ["a lazy value producing plain JSON with a reference", () => ({ v: Lazy.anyValue({ produce: () => ({ x: [local.asString, undefined] }) }) })],
  ["an IResolvable returning undefined", () => ({ v: { resolve: () => undefined }, w: [{ resolve: () => undefined }, "kept"] })],
  ["a function call (braces suppressed inside)", () => ({ joined: Fn.join(",", local.asList), inText: `x-${Fn.upper(local.asString)}-y` })],
];

describe.each([true, false])("preparing: %s", (preparing) => {
  test.each(cases)("%s: what cdktf's resolve returns", (_name, make) => {
    const expected = cdktf(make(), preparing);
    const actual = sparse(make(), preparing);
    expect(actual).toStrictEqual(expected);
    expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  });
});

test("plain parts come back as copies, never the caller's objects", () => {
  const value = { a: { b: ["c"] } };
  const out = sparse(value) as typeof value;
  expect(out).toEqual(value);
  expect(out.a).not.toBe(value.a);
  expect(out.a.b).not.toBe(value.a.b);
});

test.each<[string, string, () => unknown]>([
  ["a function", "'/a/b/0'", () => ({ a: { b: [() => "x"] } })],
  ["a construct", "'/scope/node'", () => ({ scope: stack })],
  ["a map token's value used as a string", "map", () => ({ a: { tag: Token.STRING_MAP_TOKEN_VALUE } })],
  ["a list token inside a string", "list", () => ({ a: `x${local.asList[0]!}` })],
])("%s: cdktf's own error, with its path (mentions %s)", (_name, mentioned, make) => {
  let expected: Error | undefined;
  try {
    cdktf(make());
  } catch (error) {
    expected = error as Error;
  }
  expect(expected).toBeInstanceOf(Error);
  expect(expected!.message).toContain(mentioned);
  expect(() => sparse(make())).toThrow(expected!.message);
});
