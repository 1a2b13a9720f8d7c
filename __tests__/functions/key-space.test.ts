import fc from "fast-check";
import { binaryString } from "./arbitraries";
import { callerSpace, isKeyInSpace, keyInSpace, KeySpaceFault, MAX_PRINCIPAL_BYTES, ownerOfKey, principalPrefix, PRIVATE_ROOT, SHARED_ROOT } from "../../functions/lib/key-space";
import { apiEvent } from "./events";

const eventOf = (principalId: unknown) => apiEvent({ requestContext: { authorizer: { principalId } } as any });

describe("principal prefixes", () => {
  test.each(["auth0|123", "a/b", "..", "ü✓ 日本", "x".repeat(MAX_PRINCIPAL_BYTES), "google-oauth2|1", "a+b=c"])("%p: one segment under private/, the owner decodes back", (sub) => {
    const prefix = principalPrefix(sub);
    expect(prefix.startsWith(PRIVATE_ROOT)).toBe(true);
    const segment = prefix.slice(PRIVATE_ROOT.length, -1);
    expect(segment).toMatch(/^[A-Za-z0-9_-]+$/); // no "/", ".", "%" or "+": one plain path segment
    expect(ownerOfKey(`${prefix}file.txt`)).toBe(sub);
  });

  test("property: distinct principals never share a prefix, and no prefix is a prefix of another's", () => {
    const sub = binaryString({ minLength: 1, maxLength: 64 }).filter((s) => s.isWellFormed());
    fc.assert(
      fc.property(sub, sub, (a, b) => {
        fc.pre(a !== b);
        expect(principalPrefix(a).startsWith(principalPrefix(b))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test("ownerOfKey names no one for shared, foreign or non-canonical keys", () => {
    expect(ownerOfKey(`${SHARED_ROOT}x`)).toBeUndefined();
    expect(ownerOfKey("elsewhere/x")).toBeUndefined();
    expect(ownerOfKey(`${PRIVATE_ROOT}dXNlci0x=/x`)).toBeUndefined(); // padding: not the canonical encoding
    expect(ownerOfKey(`${PRIVATE_ROOT}dXNlci0y/x`)).toBe("user-2");
  });
});

describe("the caller's space", () => {
  test("from principalId when private; one shared space otherwise", () => {
    expect(callerSpace(eventOf("u1"), "private")).toEqual({ prefix: principalPrefix("u1"), owner: "u1" });
    expect(callerSpace(eventOf("u1"), "shared")).toEqual({ prefix: SHARED_ROOT });
  });

  test.each([undefined, "", 7, null, "x".repeat(MAX_PRINCIPAL_BYTES + 1), "\ud800"])("principalId %p in a private environment is a fault, never a shared fallback", (principalId) => {
    expect(() => callerSpace(eventOf(principalId), "private")).toThrow(KeySpaceFault);
  });

  test("an unset or unknown KEY_SPACES is a fault", () => {
    expect(() => callerSpace(eventOf("u1"), undefined)).toThrow(KeySpaceFault);
    expect(() => callerSpace(eventOf("u1"), "public")).toThrow(KeySpaceFault);
  });
});

describe("keys from clients stay inside the caller's space", () => {
  const alice = { prefix: principalPrefix("alice"), owner: "alice" };
  const bob = { prefix: principalPrefix("bob"), owner: "bob" };

  test.each([
    ["dot-dot", "../" + bob.prefix.slice(PRIVATE_ROOT.length) + "x"],
    ["leading slash", `/${bob.prefix}x`],
    ["empty segment", `a//x`],
    ["encoded traversal stays literal", "%2E%2E/x"],
  ])("relative file names: %s", (_name, file) => {
    const r = keyInSpace(alice, file, "file");
    if (r.ok) expect(r.key.startsWith(alice.prefix)).toBe(true);
  });

  test("the full form of someone else's key becomes a key inside one's own space", () => {
    const r = keyInSpace(alice, `${bob.prefix}x`, "file");
    expect(r).toEqual({ ok: true, key: `${alice.prefix}${bob.prefix}x` });
  });

  test("full keys sent back (multipart ?key=) must lie inside the caller's space", () => {
    expect(isKeyInSpace(alice, `${alice.prefix}x`)).toBe(true);
    expect(isKeyInSpace(alice, `${bob.prefix}x`)).toBe(false);
    expect(isKeyInSpace(alice, `${alice.prefix}../${bob.prefix.slice(PRIVATE_ROOT.length)}x`)).toBe(false);
    expect(isKeyInSpace(alice, alice.prefix)).toBe(false);
    expect(isKeyInSpace(alice, `${alice.prefix.slice(0, -1)}x`)).toBe(false);
    expect(isKeyInSpace(alice, 7)).toBe(false);
  });

  test("property: whatever the input, a key made for alice is in alice's space and in no one else's", () => {
    fc.assert(
      fc.property(binaryString({ maxLength: 80 }), fc.string({ minLength: 1, maxLength: 20 }), (file, other) => {
        fc.pre(other !== "alice");
        const r = keyInSpace(alice, file, "file");
        if (!r.ok) return;
        expect(r.key.startsWith(alice.prefix)).toBe(true);
        expect(r.key.startsWith(principalPrefix(other))).toBe(false);
        expect(ownerOfKey(r.key)).toBe("alice");
      }),
      { numRuns: 2000 },
    );
  });
});
