import { fail, httpHandler, INTERNAL_ERROR, ok } from "../lib/http";
import { errorFields, log } from "../lib/log";
import { checkObjectKey } from "../lib/object-key";
import { checkContentType } from "./content-type";
import { Presigner } from "./presigner";
import { readSettings, type PresignSettings } from "./settings";

export interface PresignResponse {
  readonly url: string;
  readonly method: "PUT" | "GET";
  readonly bucket: string;
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

// Created once per container, on first use, so a configuration fault is a 500 with a log line, not a crash loop.
let state: { settings: PresignSettings; presigner: Presigner } | undefined;
function init() {
  if (!state) {
    const settings = readSettings();
    state = { settings, presigner: new Presigner(settings) };
  }
  return state;
}

/** GET /presign?file=K&mode=upload&size=N[&contentType=T] | GET /presign?file=K[&mode=download] */
export const handler = httpHandler(async ({ query: q }) => {
  const mode = q.mode ?? "download";
  if (mode !== "upload" && mode !== "download") return fail(400, "InvalidMode", 'mode must be "upload" or "download"');
  if (q.file === undefined || q.file === null) return fail(400, "MissingFile", "file is required");
  const key = checkObjectKey(q.file, "file");
  if (!key.ok) return fail(400, "InvalidKey", key.message);

  let s: ReturnType<typeof init>;
  try {
    s = init();
  } catch (e) {
    log.error("presign misconfigured", errorFields(e));
    return INTERNAL_ERROR;
  }

  let size: number | undefined;
  if (mode === "upload") {
    if (q.size === undefined || q.size === null) return fail(400, "MissingSize", "size (the file's size in bytes) is required for uploads");
    if (typeof q.size !== "string" || !/^(0|[1-9][0-9]{0,15})$/.test(q.size)) return fail(400, "InvalidSize", "size must be a whole number of bytes (0 or more)");
    size = Number(q.size);
    if (size > s.settings.maxUploadBytes) return fail(413, "TooLarge", `size must be at most ${s.settings.maxUploadBytes} bytes`);
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
