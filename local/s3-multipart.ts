import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { readRequestBody } from "./request-body";

/** The parts of s3rver's koa context this layer uses (s3rver ships no types). */
export interface MultipartContext {
  method: string;
  query: Record<string, string | string[] | undefined>;
  params: { bucket: string; key?: string };
  headers: Record<string, string | string[] | undefined>;
  req: NodeJS.ReadableStream;
  href: string;
  ip: string;
  status: number;
  body: unknown;
  app: { emit(event: string, payload: unknown): void };
  store: {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    putObjectMultipart(bucket: string, uploadId: string, parts: Array<{ number: number; etag: string }>): Promise<{ md5: string; size: number }>;
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3Error = require("@20minutes/s3rver/lib/models/error") as new (code: string, message: string, detail?: Record<string, unknown>) => Error;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3Event = require("@20minutes/s3rver/lib/models/event") as new (data: unknown, req: { reqHeaders: unknown; sourceIp: string }) => { Records: Array<{ eventName: string }> };

const MIN_PART_BYTES = 5 * 1024 ** 2;
const MAX_PART_NUMBER = 10_000;
const noSuchUpload = () => new S3Error("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");

const unescapeXml = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const unquote = (etag: string) => etag.replace(/"/g, "");

/** The <Part> list of a CompleteMultipartUpload body. */
function completionParts(xml: string): Array<{ number: number; etag: string }> {
  if (!/<CompleteMultipartUpload[\s>]/.test(xml)) throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
  const parts = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
    number: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1]!)?.[1]),
    etag: unquote(unescapeXml(/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1]!)?.[1] ?? "")),
  }));
  if (parts.length === 0 || parts.some((p) => !Number.isInteger(p.number))) {
    throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
  }
  return parts;
}

/**
 * Multipart uploads as S3 runs them, in front of s3rver (placed after its signature check). s3rver stores parts
 * under any key for any upload id and assembles whatever it is given; S3 does not:
 * - an upload id names one upload of one key: another key (or an unknown, finished or aborted id) is NoSuchUpload;
 * - part numbers are 1..10,000;
 * - completion needs ascending part numbers (InvalidPartOrder), stored parts with those ETags (InvalidPart), and
 *   every part but the last at least 5 MiB (EntityTooSmall); the object's ETag is md5(part md5s)-N;
 * - ListParts and AbortMultipartUpload exist (s3rver answers MethodNotAllowed);
 * - the event is ObjectCreated:CompleteMultipartUpload.
 */
export async function multipartLikeS3(ctx: MultipartContext, next: () => Promise<void>): Promise<void> {
  const uploadId = ctx.query.uploadId;
  if (typeof uploadId !== "string" || !ctx.params.key) return next();
  const { bucket, key } = ctx.params;
  // s3rver joins the id into a path: only its own ids (32 hex digits) can name an upload.
  const dir = /^[0-9a-f]{32}$/.test(uploadId) ? path.join(ctx.store.getResourcePath(bucket, undefined, "uploads"), uploadId) : "";
  if (!dir || !existsSync(path.join(dir, "key")) || readFileSync(path.join(dir, "key"), "utf8") !== key) throw noSuchUpload();

  const stored = () =>
    readdirSync(dir)
      .filter((f) => /^\d+$/.test(f))
      .map((f) => {
        const st = statSync(path.join(dir, f));
        return { number: Number(f), size: st.size, lastModified: st.mtime, etag: readFileSync(path.join(dir, `${f}.md5`), "utf8") };
      })
      .sort((a, b) => a.number - b.number);

  switch (ctx.method) {
    case "PUT": {
      const n = Number(ctx.query.partNumber);
      if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
        throw new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", { ArgumentName: "partNumber", ArgumentValue: String(ctx.query.partNumber) });
      }
      return next();
    }
    case "GET": {
      const max = Math.min(Number(ctx.query["max-parts"] ?? 1000) || 1000, 1000);
      const marker = Number(ctx.query["part-number-marker"] ?? 0) || 0;
      const after = stored().filter((p) => p.number > marker);
      const page = after.slice(0, max);
      const truncated = after.length > page.length;
      ctx.body = {
        ListPartsResult: {
          "@": { xmlns: "http://s3.amazonaws.com/doc/2006-03-01/" },
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumberMarker: marker,
          ...(truncated ? { NextPartNumberMarker: page[page.length - 1]!.number } : {}),
          MaxParts: max,
          IsTruncated: truncated,
          Part: page.map((p) => ({ PartNumber: p.number, LastModified: p.lastModified.toISOString(), ETag: JSON.stringify(p.etag), Size: p.size })),
        },
      };
      return;
    }
    case "DELETE":
      rmSync(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    case "POST": {
      const parts = completionParts((await readRequestBody(ctx.req)).toString("utf8"));
      const have = new Map(stored().map((p) => [p.number, p]));
      // S3 checks the order of the whole list first, then each part.
      if (parts.some((p, i) => i > 0 && p.number <= parts[i - 1]!.number)) {
        throw new S3Error("InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.");
      }
      for (const [i, p] of parts.entries()) {
        const s = have.get(p.number);
        if (!s || s.etag !== p.etag) throw new S3Error("InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", { UploadId: uploadId, PartNumber: p.number });
        if (i < parts.length - 1 && s.size < MIN_PART_BYTES) throw new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", { ProposedSize: s.size, MinSizeAllowed: MIN_PART_BYTES, PartNumber: p.number });
      }
      const { size } = await ctx.store.putObjectMultipart(bucket, uploadId, parts);
      const etag = `${createHash("md5").update(Buffer.concat(parts.map((p) => Buffer.from(p.etag, "hex")))).digest("hex")}-${parts.length}`;
      writeFileSync(`${ctx.store.getResourcePath(bucket, key, "object")}.md5`, etag);
      const event = new S3Event({ bucket, eventType: "Post", S3Item: { key, size, metadata: { etag: JSON.stringify(etag) } } }, { reqHeaders: ctx.headers, sourceIp: ctx.ip });
      for (const r of event.Records) r.eventName = "ObjectCreated:CompleteMultipartUpload";
      ctx.app.emit("event", event);
      ctx.body = { CompleteMultipartUploadResult: { "@": { xmlns: "http://s3.amazonaws.com/doc/2006-03-01/" }, Location: ctx.href.split("?")[0], Bucket: bucket, Key: key, ETag: JSON.stringify(etag) } };
      return;
    }
    default:
      return next();
  }
}
