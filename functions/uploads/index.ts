import { checkContentType } from "../lib/content-type";
import { fail, httpHandler, INTERNAL_ERROR, ok, type HttpRequest, type HttpResponse } from "../lib/http";
import { isObject } from "../lib/is-object";
import { callerSpace, isKeyInSpace, keyInSpace, type KeySpace } from "../lib/key-space";
import { errorFields, log } from "../lib/log";
import { decodePathKey } from "../lib/path-key";
import { signingOnFirstUse, type Presigner } from "../lib/presigner";
import { readUploadSettings, type UploadSettings } from "../lib/upload-settings";
import { checkUploadSize } from "../lib/upload-size";
import { abortUpload, completeUpload, COMPLETION_ERRORS, createUpload, isNoSuchUpload, listParts } from "./multipart";
import { MAX_PARTS, parseUploadHandle, partBytes, planParts, uploadHandle, type PartPlan } from "./part-plan";
import { UPLOAD_ROUTES, type UploadRoute } from "./routes";

interface Call {
  readonly request: HttpRequest;
  readonly space: KeySpace;
  readonly settings: UploadSettings;
  readonly presigner: Presigner;
}

/** An upload the caller may act on: its key inside the caller's space and a well-formed handle. */
interface UploadRef {
  readonly key: string;
  readonly s3UploadId: string;
  readonly plan: PartPlan;
}

const init = signingOnFirstUse(readUploadSettings);

/** The same answer for an unknown upload and for another principal's: nothing tells them apart. */
const NO_SUCH_UPLOAD = fail(404, "NoSuchUpload", "No such upload");

const expiresAt = (c: Call, from: Date) => new Date(from.getTime() + c.settings.expiresIn * 1000).toISOString();

/** The size a client declared: `size`, or Uppy's `metadata[size]` (Uppy sends file.meta as metadata). */
function declaredSize(direct: unknown, metadata: unknown): unknown {
  return direct ?? (isObject(metadata) ? metadata.size : undefined);
}

function contentTypeOf(c: Call, raw: unknown): { ok: true; value?: string } | { ok: false; response: HttpResponse } {
  // Uppy sends "" for a file the browser could not type: no Content-Type is signed then.
  if (raw === undefined || raw === null || raw === "") return { ok: true };
  const ct = checkContentType(raw, c.settings.allowedContentTypes);
  return ct.ok ? { ok: true, value: ct.value } : { ok: false, response: fail(400, "InvalidContentType", ct.message) };
}

/** `{uploadId}` and `?key=` of a multipart route, checked against the caller's space and the environment's limit. */
function uploadRef(c: Call): UploadRef | undefined {
  const raw = c.request.pathParameters.uploadId;
  const handle = parseUploadHandle(typeof raw === "string" ? decodePathKey(raw) : raw);
  const key = c.request.query.key;
  if (!handle || handle.size < 1 || handle.size > c.settings.maxUploadBytes || !isKeyInSpace(c.space, key)) return undefined;
  return { key, s3UploadId: handle.s3UploadId, plan: planParts(handle.size) };
}

function parseBody(c: Call): Record<string, unknown> | undefined {
  const { body, isBase64Encoded } = c.request.event;
  if (typeof body !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(isBase64Encoded ? Buffer.from(body, "base64").toString("utf8") : body);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function signPart(c: Call, u: UploadRef, partNumber: number, signingDate: Date): Promise<string> {
  return c.presigner.presign({
    method: "PUT",
    bucket: c.settings.inBucket,
    key: u.key,
    expiresIn: c.settings.expiresIn,
    signingDate,
    contentLength: partBytes(u.plan, partNumber)!,
    part: { uploadId: u.s3UploadId, partNumber },
  });
}

function partNumberOf(u: UploadRef, raw: unknown): number | undefined {
  const n = typeof raw === "string" && /^[1-9][0-9]{0,4}$/.test(raw) ? Number(raw) : typeof raw === "number" ? raw : NaN;
  return partBytes(u.plan, n) === undefined ? undefined : n;
}

const invalidPartNumber = (u: UploadRef) => fail(400, "InvalidPartNumber", `part numbers are whole numbers from 1 to ${u.plan.partCount} for this upload`);

const HANDLERS: Record<UploadRoute, (c: Call) => Promise<HttpResponse>> = {
  /** A single PUT (files below the client's multipart threshold), signed for its exact size and type. */
  async params(c) {
    const q = c.request.query;
    const key = keyInSpace(c.space, q.filename, "filename");
    if (!key.ok) return fail(400, "InvalidKey", key.message);
    const size = checkUploadSize(declaredSize(q.size, { size: q["metadata[size]"] }), c.settings.maxUploadBytes);
    if (!size.ok) return size.response;
    const type = contentTypeOf(c, q.type);
    if (!type.ok) return type.response;
    const signingDate = new Date();
    const url = await c.presigner.presign({
      method: "PUT",
      bucket: c.settings.inBucket,
      key: key.key,
      expiresIn: c.settings.expiresIn,
      signingDate,
      contentLength: size.size,
      ...(type.value ? { contentType: type.value } : {}),
    });
    // Uppy reads key and bucket from `fields` (sent only with POST uploads; a PUT sends `headers`).
    return ok({
      method: "PUT",
      url,
      fields: { key: key.key, bucket: c.settings.inBucket },
      headers: type.value ? { "content-type": type.value } : {},
      key: key.key,
      bucket: c.settings.inBucket,
      size: size.size,
      expires: c.settings.expiresIn,
      expiresAt: expiresAt(c, signingDate),
    });
  },

  async create(c) {
    const body = parseBody(c);
    if (!body) return fail(400, "InvalidBody", 'the body must be JSON: {"filename": ..., "type": ..., "metadata": {"size": ...}}');
    const key = keyInSpace(c.space, body.filename, "filename");
    if (!key.ok) return fail(400, "InvalidKey", key.message);
    const size = checkUploadSize(declaredSize(body.size, body.metadata), c.settings.maxUploadBytes);
    if (!size.ok) return size.response;
    if (size.size === 0) return fail(400, "InvalidSize", "an empty file is uploaded with GET /s3/params, not multipart");
    const type = contentTypeOf(c, body.type);
    if (!type.ok) return type.response;
    const s3UploadId = await createUpload(c.settings.inBucket, key.key, type.value);
    const plan = planParts(size.size);
    log.info("multipart created", { key: key.key, size: size.size, parts: plan.partCount });
    return ok({ key: key.key, uploadId: uploadHandle(size.size, s3UploadId), bucket: c.settings.inBucket, partSize: plan.partSize, partCount: plan.partCount });
  },

  async list(c) {
    const u = uploadRef(c);
    if (!u) return NO_SUCH_UPLOAD;
    try {
      return ok(await listParts(c.settings.inBucket, u.key, u.s3UploadId));
    } catch (e) {
      if (isNoSuchUpload(e)) return NO_SUCH_UPLOAD;
      throw e;
    }
  },

  async abort(c) {
    const u = uploadRef(c);
    if (!u) return NO_SUCH_UPLOAD;
    try {
      await abortUpload(c.settings.inBucket, u.key, u.s3UploadId);
    } catch (e) {
      if (isNoSuchUpload(e)) return NO_SUCH_UPLOAD;
      throw e;
    }
    log.info("multipart aborted", { key: u.key });
    return ok({});
  },

  async signBatch(c) {
    const u = uploadRef(c);
    if (!u) return NO_SUCH_UPLOAD;
    const raw = c.request.query.partNumbers;
    const list = typeof raw === "string" ? raw.split(",") : [];
    if (list.length === 0 || list.length > MAX_PARTS) return fail(400, "InvalidPartNumber", "partNumbers is a comma-separated list of part numbers");
    const numbers: number[] = [];
    for (const item of list) {
      const n = partNumberOf(u, item.trim());
      if (n === undefined) return invalidPartNumber(u);
      numbers.push(n);
    }
    const signingDate = new Date();
    const presignedUrls: Record<string, string> = {};
    for (const n of new Set(numbers)) presignedUrls[String(n)] = await signPart(c, u, n, signingDate);
    return ok({ presignedUrls, expires: c.settings.expiresIn });
  },

  async signPart(c) {
    const u = uploadRef(c);
    if (!u) return NO_SUCH_UPLOAD;
    const raw = c.request.pathParameters.partNumber;
    const n = partNumberOf(u, raw);
    if (n === undefined) return invalidPartNumber(u);
    const signingDate = new Date();
    // The part's exact length is signed: S3 refuses any other body (clients set Content-Length from the body).
    return ok({ url: await signPart(c, u, n, signingDate), expires: c.settings.expiresIn, expiresAt: expiresAt(c, signingDate), headers: {}, size: partBytes(u.plan, n) });
  },

  async complete(c) {
    const u = uploadRef(c);
    if (!u) return NO_SUCH_UPLOAD;
    const body = parseBody(c);
    const parts = body && Array.isArray(body.parts) ? body.parts : undefined;
    if (!parts || parts.length !== u.plan.partCount) {
      return fail(400, "InvalidParts", `parts must list all ${u.plan.partCount} parts of this upload: [{"PartNumber": n, "ETag": "..."}]`);
    }
    const listed: Array<{ PartNumber: number; ETag: string }> = [];
    for (const [i, p] of parts.entries()) {
      if (!isObject(p) || p.PartNumber !== i + 1 || typeof p.ETag !== "string" || !/^"?[0-9A-Za-z-]{1,128}"?$/.test(p.ETag)) {
        return fail(400, "InvalidParts", "parts must be in order 1, 2, ... each with the ETag its upload returned");
      }
      listed.push({ PartNumber: p.PartNumber, ETag: p.ETag });
    }
    try {
      // Every stored part must be the size the plan signed for: the object is then exactly the declared size.
      const stored = new Map((await listParts(c.settings.inBucket, u.key, u.s3UploadId)).map((p) => [p.PartNumber, p.Size]));
      const wrong = listed.find((p) => stored.get(p.PartNumber) !== partBytes(u.plan, p.PartNumber));
      if (wrong) return fail(400, "InvalidPart", `part ${wrong.PartNumber} is missing or not ${partBytes(u.plan, wrong.PartNumber)} bytes`);
      const done = await completeUpload(c.settings.inBucket, u.key, u.s3UploadId, listed);
      log.info("multipart completed", { key: u.key, size: u.plan.size, parts: u.plan.partCount });
      return ok({ location: done.location, key: u.key, bucket: c.settings.inBucket, etag: done.etag, size: u.plan.size });
    } catch (e) {
      if (isNoSuchUpload(e)) return NO_SUCH_UPLOAD;
      const name = (e as { name?: string }).name ?? "";
      if (COMPLETION_ERRORS.has(name)) return fail(400, name, (e as Error).message);
      throw e;
    }
  },
};

const BY_ROUTE = new Map(Object.entries(UPLOAD_ROUTES).map(([name, r]) => [`${r.method} ${r.path}`, HANDLERS[name as UploadRoute]]));

/** The Companion S3 routes (functions/uploads/routes.ts), each inside the caller's key space. */
export const handler = httpHandler(async (request) => {
  const route = BY_ROUTE.get(`${request.event.httpMethod} ${request.event.resource}`);
  if (!route) return fail(404, "NotFound", "No such route");
  let call: Call;
  try {
    call = { request, space: callerSpace(request.event), ...init() };
  } catch (e) {
    log.error("uploads misconfigured", errorFields(e));
    return INTERNAL_ERROR;
  }
  return route(call);
});
