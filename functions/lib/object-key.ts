/** S3 object key rules shared by presign and status (see ARCHITECTURE.md, handler contracts). */
const MAX_KEY_BYTES = 1024;

export type KeyCheck = { ok: true; key: string } | { ok: false; message: string };

// C0 controls, DEL and C1 controls: invisible in logs and consoles, and refused by many S3 tools.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function checkObjectKey(value: unknown, name = "file"): KeyCheck {
  if (typeof value !== "string") return { ok: false, message: `${name} must be a string` };
  if (value.length === 0) return { ok: false, message: `${name} must not be empty` };
  if (!value.isWellFormed()) return { ok: false, message: `${name} must be valid UTF-8 (no lone surrogates)` };
  if (Buffer.byteLength(value, "utf8") > MAX_KEY_BYTES) {
    return { ok: false, message: `${name} must be at most ${MAX_KEY_BYTES} bytes of UTF-8` };
  }
  if (CONTROL.test(value)) return { ok: false, message: `${name} must not contain control characters` };
  if (value.startsWith("/")) return { ok: false, message: `${name} must not start with "/"` };
  for (const segment of value.split("/")) {
    if (segment === "" || segment === "." || segment === "..") {
      return { ok: false, message: `${name} must not contain empty, "." or ".." path segments` };
    }
  }
  return { ok: true, key: value };
}
