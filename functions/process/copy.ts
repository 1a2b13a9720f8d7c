import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { encodeKeyPath } from "../lib/s3-path";

/** CopyObject copies at most 5 GiB in one request; larger objects need UploadPartCopy. */
const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;
const MIN_PART_SIZE = 512 * 1024 ** 2;
const MAX_PARTS = 10000;
const PART_CONCURRENCY = 4;

export interface CopySource {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

export interface CopyResult {
  readonly size: number;
  /** ETag of the copied source version: what the uploader's PUT returned (clients match their upload by it). */
  readonly sourceEtag: string;
  /** ETag of the copy (differs from the source's for multipart copies). */
  readonly etag: string;
  readonly contentType: string;
  /** Version of the copy in the out-bucket, when it is versioned. */
  readonly outVersionId?: string;
}

export interface CopyOptions {
  readonly singleCopyLimit?: number;
  readonly partSize?: number;
}

function copySourceHeader(s: CopySource): string {
  const base = `${s.bucket}/${encodeKeyPath(s.key)}`;
  return s.versionId ? `${base}?versionId=${encodeURIComponent(s.versionId)}` : base;
}

/**
 * Server-side copy: the bytes never pass through the function, whatever the object's size.
 * The exact version named by the event is copied, so a later overwrite cannot be mislabelled as this one.
 */
export async function copyObject(s3: S3Client, source: CopySource, targetBucket: string, options: CopyOptions = {}): Promise<CopyResult> {
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: source.bucket, Key: source.key, ...(source.versionId ? { VersionId: source.versionId } : {}) }),
  );
  const size = head.ContentLength ?? 0;
  const contentType = head.ContentType ?? "application/octet-stream";
  const CopySource = copySourceHeader(source);

  if (size <= (options.singleCopyLimit ?? SINGLE_COPY_LIMIT)) {
    const out = await s3.send(
      new CopyObjectCommand({
        Bucket: targetBucket,
        Key: source.key,
        CopySource,
        MetadataDirective: "COPY",
        // Tags are not carried over: that would need s3:GetObjectTagging/PutObjectTagging for no use here.
        TaggingDirective: "REPLACE",
      }),
    );
    return { size, contentType, sourceEtag: head.ETag ?? "", etag: out.CopyObjectResult?.ETag ?? head.ETag ?? "", ...(out.VersionId ? { outVersionId: out.VersionId } : {}) };
  }
  return { ...(await multipartCopy(s3, { CopySource, key: source.key, targetBucket, size, contentType, metadata: head.Metadata ?? {} }, options)), sourceEtag: head.ETag ?? "" };
}

interface MultipartInput {
  readonly CopySource: string;
  readonly key: string;
  readonly targetBucket: string;
  readonly size: number;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
}

async function multipartCopy(s3: S3Client, m: MultipartInput, options: CopyOptions): Promise<Omit<CopyResult, "sourceEtag">> {
  const partSize = Math.max(options.partSize ?? MIN_PART_SIZE, Math.ceil(m.size / MAX_PARTS));
  const ranges: Array<{ part: number; first: number; last: number }> = [];
  for (let first = 0, part = 1; first < m.size; first += partSize, part++) {
    ranges.push({ part, first, last: Math.min(first + partSize, m.size) - 1 });
  }
  const created = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: m.targetBucket, Key: m.key, ContentType: m.contentType, Metadata: m.metadata }),
  );
  const UploadId = created.UploadId;
  if (!UploadId) throw new Error("CreateMultipartUpload returned no UploadId");
  try {
    const etags: string[] = new Array(ranges.length);
    let next = 0;
    const worker = async () => {
      while (next < ranges.length) {
        const r = ranges[next++]!;
        const out = await s3.send(
          new UploadPartCopyCommand({
            Bucket: m.targetBucket,
            Key: m.key,
            UploadId,
            PartNumber: r.part,
            CopySource: m.CopySource,
            CopySourceRange: `bytes=${r.first}-${r.last}`,
          }),
        );
        etags[r.part - 1] = out.CopyPartResult?.ETag ?? "";
      }
    };
    await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, ranges.length) }, worker));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: m.targetBucket,
        Key: m.key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    return { size: m.size, contentType: m.contentType, etag: done.ETag ?? "", ...(done.VersionId ? { outVersionId: done.VersionId } : {}) };
  } catch (error) {
    // Leave no billed orphan parts behind; the lifecycle rule is only the backstop.
    try {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: m.targetBucket, Key: m.key, UploadId }));
    } catch {
      // The original error is the one worth reporting.
    }
    throw error;
  }
}
