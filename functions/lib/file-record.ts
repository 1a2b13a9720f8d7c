import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/** The metadata record of one file in TABLE_NAME, keyed by its object key. */
export interface FileRecord {
  /** The full S3 key (the owner's key-space prefix included). */
  readonly key: string;
  /** The principal (`sub`) whose key space holds the file; absent in the shared space. */
  readonly owner?: string;
  readonly size: number;
  /** The uploaded object's ETag, unquoted (as the upload's PUT returned it, quotes removed). */
  readonly etag: string;
  readonly contentType: string;
  readonly versionId?: string;
  readonly outVersionId?: string;
  readonly sequencer: string;
  readonly uploadedAt: string;
  readonly processedAt: string;
  readonly status: "PROCESSED";
}

/** An upload in the in-bucket that has no record yet (or a newer one than the record's): being processed. */
export interface PendingUpload {
  readonly key: string;
  readonly status: "PENDING";
  readonly etag: string;
  readonly size: number;
  readonly uploadedAt: string;
}

/** Partition key attribute; "key" is a DynamoDB reserved word, so expressions alias it as #k. */
export const HASH_KEY = "key";
/** Internal ordering attribute (padded sequencer); not part of the public record. */
export const SEQUENCER_SORT = "sequencerSort";

export function toItem(r: FileRecord, sequencerSort: string): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    [HASH_KEY]: { S: r.key },
    size: { N: String(r.size) },
    etag: { S: r.etag },
    contentType: { S: r.contentType },
    sequencer: { S: r.sequencer },
    [SEQUENCER_SORT]: { S: sequencerSort },
    uploadedAt: { S: r.uploadedAt },
    processedAt: { S: r.processedAt },
    status: { S: r.status },
  };
  if (r.owner) item.owner = { S: r.owner };
  if (r.versionId) item.versionId = { S: r.versionId };
  if (r.outVersionId) item.outVersionId = { S: r.outVersionId };
  return item;
}

export function fromItem(item: Record<string, AttributeValue>): FileRecord {
  const s = (name: string) => item[name]?.S;
  const owner = s("owner");
  const versionId = s("versionId");
  const outVersionId = s("outVersionId");
  return {
    key: s(HASH_KEY) ?? "",
    ...(owner ? { owner } : {}),
    size: Number(item.size?.N ?? 0),
    etag: s("etag") ?? "",
    contentType: s("contentType") ?? "",
    ...(versionId ? { versionId } : {}),
    ...(outVersionId ? { outVersionId } : {}),
    sequencer: s("sequencer") ?? "",
    uploadedAt: s("uploadedAt") ?? "",
    processedAt: s("processedAt") ?? "",
    status: "PROCESSED",
  };
}
