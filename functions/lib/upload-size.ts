import { fail, type HttpResponse } from "./http";

export type SizeCheck = { ok: true; size: number } | { ok: false; response: HttpResponse };

/**
 * The declared size of an upload: required, a whole number of bytes, at most the environment's limit. The size is
 * then signed (Content-Length), so S3 itself refuses a body of any other length. Empty files are allowed.
 */
export function checkUploadSize(raw: unknown, maxBytes: number): SizeCheck {
  if (raw === undefined || raw === null) return { ok: false, response: fail(400, "MissingSize", "size (the file's size in bytes) is required for uploads") };
  const text = typeof raw === "number" ? String(raw) : raw;
  if (typeof text !== "string" || !/^(0|[1-9][0-9]{0,15})$/.test(text)) return { ok: false, response: fail(400, "InvalidSize", "size must be a whole number of bytes (0 or more)") };
  const size = Number(text);
  if (size > maxBytes) return { ok: false, response: fail(413, "TooLarge", `size must be at most ${maxBytes} bytes`) };
  return { ok: true, size };
}
