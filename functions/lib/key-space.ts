import type { APIGatewayProxyEvent } from "aws-lambda";
import { isObject } from "./is-object";
import { checkObjectKey, type KeyCheck } from "./object-key";

/**
 * Per-principal key spaces (as AWS Amplify Storage's `private/{identity}/`): every key a route presigns, reads
 * or reports starts with the caller's prefix, so no input of one principal can name another's object (OWASP API1).
 */
export const PRIVATE_ROOT = "private/";
/** The one space of an environment without an authorizer: every caller shares it. */
export const SHARED_ROOT = "shared/";
/** KEY_SPACES, set by the compute stack for every function behind the API. */
export type KeySpaceMode = "private" | "shared";
/** Longest `sub` a key space is made for (UTF-8 bytes); the authorizer refuses longer ones. */
export const MAX_PRINCIPAL_BYTES = 256;

export interface KeySpace {
  /** "private/<base64url(sub)>/" or "shared/". */
  readonly prefix: string;
  /** The principal (`sub`) the space belongs to; absent for the shared space. */
  readonly owner?: string;
}

/** The root every space of an environment lives under: what IAM and the processor may scope to. */
export function spaceRoot(privateSpaces: boolean): string {
  return privateSpaces ? PRIVATE_ROOT : SHARED_ROOT;
}

/**
 * base64url of the UTF-8 bytes: injective (two subs never share a prefix), no "/" or "." (so `a/b` or `..` stay one
 * segment) and decodable, so the processor can record the owner.
 */
export function principalPrefix(sub: string): string {
  return `${PRIVATE_ROOT}${Buffer.from(sub, "utf8").toString("base64url")}/`;
}

/** A principal the authorizer could have let through: non-empty, well-formed, bounded. */
export function isValidPrincipal(sub: unknown): sub is string {
  return typeof sub === "string" && sub.length > 0 && sub.isWellFormed() && Buffer.byteLength(sub, "utf8") <= MAX_PRINCIPAL_BYTES;
}

/** A deployment fault (no principal where spaces are private): a 500 with a log line, never a shared fallback. */
export class KeySpaceFault extends Error {}

/** The caller's space, from KEY_SPACES and the authorizer's principalId (`sub`). */
export function callerSpace(event: APIGatewayProxyEvent, mode: string | undefined = process.env.KEY_SPACES): KeySpace {
  if (mode === "shared") return { prefix: SHARED_ROOT };
  if (mode !== "private") throw new KeySpaceFault(`KEY_SPACES must be "private" or "shared" (got "${mode}")`);
  const authorizer = isObject(event.requestContext) ? event.requestContext.authorizer : undefined;
  const principal = isObject(authorizer) ? authorizer.principalId : undefined;
  if (!isValidPrincipal(principal)) throw new KeySpaceFault("KEY_SPACES is private but the request carries no valid principalId (is the route behind the authorizer?)");
  return { prefix: principalPrefix(principal), owner: principal };
}

/** The full key of `relative` (a client's file name) inside `space`; the object key rules apply to the result. */
export function keyInSpace(space: KeySpace, relative: unknown, name: string): KeyCheck {
  const rel = checkObjectKey(relative, name);
  if (!rel.ok) return rel;
  const full = checkObjectKey(space.prefix + rel.key, name);
  return full.ok ? full : { ok: false, message: `${full.message} (including your space's prefix, ${Buffer.byteLength(space.prefix)} bytes)` };
}

/** A full key a client sent back (multipart `?key=`): valid, and inside the caller's own space. */
export function isKeyInSpace(space: KeySpace, key: unknown): key is string {
  // The full key's own check covers the part after the prefix (an empty, "." or ".." segment anywhere fails it).
  return typeof key === "string" && key.startsWith(space.prefix) && checkObjectKey(key).ok;
}

/** The owner (`sub`) recorded in a private key, or undefined for shared or foreign keys. */
export function ownerOfKey(key: string): string | undefined {
  if (!key.startsWith(PRIVATE_ROOT)) return undefined;
  const segment = key.slice(PRIVATE_ROOT.length).split("/")[0] ?? "";
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  const sub = Buffer.from(segment, "base64url").toString("utf8");
  // Only the canonical encoding names an owner: a key made up by hand must not claim someone.
  return principalPrefix(sub) === `${PRIVATE_ROOT}${segment}/` && isValidPrincipal(sub) ? sub : undefined;
}
