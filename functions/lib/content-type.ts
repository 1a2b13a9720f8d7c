export type ContentTypeCheck = { ok: true; value: string } | { ok: false; message: string };

// RFC 9110 media type: token "/" token, then optional ";" parameters (token=token or quoted-string). Only what every
// client can send as a header: a quoted-string holds visible ASCII, space and tab (qdtext) or quoted pairs, never
// obs-text or other non-ASCII (fetch() cannot send beyond Latin-1 at all, and the signed header must match exactly).
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED_STRING = '"(?:[\\t !#-\\[\\]-~]|\\\\[\\t -~])*"';
const MEDIA_TYPE = new RegExp(`^(${TOKEN})/(${TOKEN})((?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED_STRING}))*)$`);

/** Validates a client-supplied content type; the allow-list, when set, matches the bare type/subtype. */
export function checkContentType(value: unknown, allowed: ReadonlySet<string>): ContentTypeCheck {
  if (typeof value !== "string") return { ok: false, message: "contentType must be a string" };
  if (value.length === 0 || value.length > 255) return { ok: false, message: "contentType must be 1 to 255 characters" };
  const match = MEDIA_TYPE.exec(value);
  if (!match) return { ok: false, message: 'contentType must be a media type like "image/png"' };
  const essence = `${match[1]}/${match[2]}`.toLowerCase();
  if (allowed.size > 0 && !allowed.has(essence)) {
    return { ok: false, message: `contentType must be one of: ${[...allowed].join(", ")}` };
  }
  return { ok: true, value };
}
