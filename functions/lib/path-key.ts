/**
 * REST API proxy events carry path parameters percent-encoded as the client sent them; decode once. A value
 * that is not valid percent-encoding is taken literally (the object key rules still apply to it).
 */
export function decodePathKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
