import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { dynamodbClient, s3Client } from "../lib/clients";
import { fromItem, HASH_KEY, type FileRecord, type PendingUpload } from "../lib/file-record";
import { fail, httpHandler, INTERNAL_ERROR, ok } from "../lib/http";
import { callerSpace, keyInSpace, type KeySpace } from "../lib/key-space";
import { errorFields, log } from "../lib/log";
import { decodePathKey } from "../lib/path-key";

const unquote = (etag: string) => etag.replace(/"/g, "");

/** The current upload of `key` in the in-bucket, if there is one (it expires by lifecycle after processing). */
async function currentUpload(bucket: string, key: string): Promise<PendingUpload | undefined> {
  try {
    const head = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { key, status: "PENDING", etag: unquote(head.ETag ?? ""), size: head.ContentLength ?? 0, uploadedAt: (head.LastModified ?? new Date(0)).toISOString() };
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (e as { name?: string }).name === "NotFound") return undefined;
    throw e;
  }
}

/**
 * GET /files/{key+}[?etag=E] -> the processing state of the file `key` of the caller's key space (another
 * principal's file is, to this caller, a file that was never uploaded):
 * - PROCESSED (the record) when the record is of the latest upload, or of the upload whose ETag is E;
 * - PENDING when the in-bucket holds an upload (the latest, or the one with ETag E) that has no record yet;
 * - 404 NotFound otherwise (never uploaded, or no upload with ETag E).
 */
export const handler = httpHandler(async ({ event, pathParameters, query }) => {
  const raw = pathParameters.key;
  if (raw === undefined || raw === null) return fail(400, "MissingKey", "the file key is required in the path");
  let space: KeySpace;
  try {
    space = callerSpace(event);
  } catch (e) {
    log.error("status misconfigured", errorFields(e));
    return INTERNAL_ERROR;
  }
  const key = keyInSpace(space, typeof raw === "string" ? decodePathKey(raw) : raw, "key");
  if (!key.ok) return fail(400, "InvalidKey", key.message);
  if (query.etag !== undefined && (typeof query.etag !== "string" || !/^"?[0-9A-Za-z-]{1,64}"?$/.test(query.etag))) {
    return fail(400, "InvalidEtag", "etag must be the ETag an upload returned");
  }
  const wanted = typeof query.etag === "string" ? unquote(query.etag) : undefined;

  const table = process.env.TABLE_NAME;
  const inBucket = process.env.IN_BUCKET;
  if (!table || !inBucket) {
    log.error("status misconfigured: TABLE_NAME and IN_BUCKET must be set");
    return INTERNAL_ERROR;
  }
  const [item, upload] = await Promise.all([
    dynamodbClient().send(new GetItemCommand({ TableName: table, Key: { [HASH_KEY]: { S: key.key } } })),
    currentUpload(inBucket, key.key),
  ]);
  const record: FileRecord | undefined = item.Item ? fromItem(item.Item) : undefined;
  if (wanted !== undefined) {
    if (record?.etag === wanted) return ok(record);
    if (upload?.etag === wanted) return ok(upload);
    return fail(404, "NotFound", `No upload of "${key.key.slice(space.prefix.length)}" with ETag ${wanted}`);
  }
  if (upload && upload.etag !== record?.etag) return ok(upload);
  if (record) return ok(record);
  return fail(404, "NotFound", `No file "${key.key.slice(space.prefix.length)}" has been uploaded`);
});
