import { checkContentType } from "../lib/content-type";
import { fail, httpHandler, INTERNAL_ERROR, ok } from "../lib/http";
import { callerSpace, keyInSpace, type KeySpace } from "../lib/key-space";
import { errorFields, log } from "../lib/log";
import { signingOnFirstUse } from "../lib/presigner";
import { checkUploadSize } from "../lib/upload-size";
import { readSettings } from "./settings";

export interface PresignResponse {
  readonly url: string;
  readonly method: "PUT" | "GET";
  readonly bucket: string;
  /** The full S3 key: the caller's space prefix followed by `file`. */
  readonly key: string;
  readonly expiresIn: number;
  readonly expiresAt: string;
  /**
   * Headers the client must send with the request, exactly (they are part of the signature). Content-Length is
   * signed too (uploads), but clients set it themselves from the body: S3 refuses any other size.
   */
  readonly headers: Record<string, string>;
  /** Uploads: the signed size in bytes. */
  readonly size?: number;
}

const init = signingOnFirstUse(readSettings);

/**
 * GET /presign?file=F&mode=upload&size=N[&contentType=T] | GET /presign?file=F[&mode=download]
 * `file` is relative to the caller's key space; the signed key is the full one.
 */
export const handler = httpHandler(async ({ event, query: q }) => {
  const mode = q.mode ?? "download";
  if (mode !== "upload" && mode !== "download") return fail(400, "InvalidMode", 'mode must be "upload" or "download"');
  if (q.file === undefined || q.file === null) return fail(400, "MissingFile", "file is required");

  let s: ReturnType<typeof init>;
  let space: KeySpace;
  try {
    s = init();
    space = callerSpace(event);
  } catch (e) {
    log.error("presign misconfigured", errorFields(e));
    return INTERNAL_ERROR;
  }
  const key = keyInSpace(space, q.file, "file");
  if (!key.ok) return fail(400, "InvalidKey", key.message);

  let size: number | undefined;
  if (mode === "upload") {
    const checked = checkUploadSize(q.size, s.settings.maxUploadBytes);
    if (!checked.ok) return checked.response;
    size = checked.size;
  } else if (q.size !== undefined && q.size !== null) {
    return fail(400, "InvalidSize", "size applies to uploads only");
  }

  let contentType: string | undefined;
  if (q.contentType !== undefined && q.contentType !== null) {
    if (mode !== "upload") return fail(400, "InvalidContentType", "contentType applies to uploads only");
    const ct = checkContentType(q.contentType, s.settings.allowedContentTypes);
    if (!ct.ok) return fail(400, "InvalidContentType", ct.message);
    contentType = ct.value;
  }

  const method = mode === "upload" ? "PUT" : "GET";
  const bucket = mode === "upload" ? s.settings.inBucket : s.settings.outBucket;
  const expiresIn = s.settings.expiresIn;
  const signingDate = new Date();
  const url = await s.presigner.presign({ method, bucket, key: key.key, expiresIn, signingDate, ...(contentType ? { contentType } : {}), ...(size !== undefined ? { contentLength: size } : {}) });
  const body: PresignResponse = {
    url,
    method,
    bucket,
    key: key.key,
    expiresIn,
    expiresAt: new Date(signingDate.getTime() + expiresIn * 1000).toISOString(),
    headers: contentType ? { "Content-Type": contentType } : {},
    ...(size !== undefined ? { size } : {}),
  };
  log.debug("presigned", { mode, bucket, key: key.key });
  return ok(body);
});
