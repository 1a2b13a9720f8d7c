import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type Part,
} from "@aws-sdk/client-s3";
import { s3Client } from "../lib/clients";

/** One stored part, in the shape Companion answers (and @uppy/aws-s3 reads) for "list parts". */
export interface StoredPart {
  readonly PartNumber: number;
  readonly Size: number;
  readonly ETag: string;
  readonly LastModified?: string;
}

export async function createUpload(bucket: string, key: string, contentType: string | undefined): Promise<string> {
  const out = await s3Client().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...(contentType ? { ContentType: contentType } : {}) }));
  if (!out.UploadId) throw new Error("CreateMultipartUpload returned no UploadId");
  return out.UploadId;
}

/** Every stored part (ListParts pages by 1,000). */
export async function listParts(bucket: string, key: string, uploadId: string): Promise<StoredPart[]> {
  const parts: StoredPart[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await s3Client().send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }));
    for (const p of page.Parts ?? []) parts.push(toStoredPart(p));
    if (!page.IsTruncated || !page.NextPartNumberMarker) return parts;
    marker = page.NextPartNumberMarker;
  }
}

function toStoredPart(p: Part): StoredPart {
  return { PartNumber: p.PartNumber ?? 0, Size: p.Size ?? 0, ETag: p.ETag ?? "", ...(p.LastModified ? { LastModified: p.LastModified.toISOString() } : {}) };
}

export async function completeUpload(bucket: string, key: string, uploadId: string, parts: ReadonlyArray<{ PartNumber: number; ETag: string }>): Promise<{ location: string; etag: string }> {
  const out = await s3Client().send(
    new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag })) } }),
  );
  return { location: out.Location ?? "", etag: (out.ETag ?? "").replace(/"/g, "") };
}

export async function abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
  await s3Client().send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
}

/** S3's answer for an upload id that is unknown, finished, or belongs to another key. */
export function isNoSuchUpload(e: unknown): boolean {
  return (e as { name?: string }).name === "NoSuchUpload";
}

/** S3's refusals of a completion the client got wrong (its parts list), as opposed to faults. */
export const COMPLETION_ERRORS: ReadonlySet<string> = new Set(["InvalidPart", "InvalidPartOrder", "EntityTooSmall", "MalformedXML"]);
