/**
 * How a multipart upload of `size` bytes is cut, decided by the server so that every part URL is signed for its
 * exact length: parts of max(5 MiB, ceil(size / 10,000)) bytes, the last one holding the rest. This is S3's limits
 * (5 MiB minimum except the last, 10,000 parts) and exactly the layout of @uppy/aws-s3's default getChunkSize.
 */
export const MIN_PART_BYTES = 5 * 1024 ** 2;
export const MAX_PARTS = 10_000;

export interface PartPlan {
  readonly size: number;
  readonly partSize: number;
  readonly partCount: number;
}

export function planParts(size: number): PartPlan {
  const partSize = Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS));
  return { size, partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** Bytes of part `n` (1-based), or undefined when the plan has no such part. */
export function partBytes(plan: PartPlan, n: number): number | undefined {
  if (!Number.isInteger(n) || n < 1 || n > plan.partCount) return undefined;
  return n < plan.partCount ? plan.partSize : plan.size - (plan.partCount - 1) * plan.partSize;
}

/**
 * The upload handle clients pass back: "<declared size>.<S3 upload id>". S3 binds the id to one key (any other key
 * is NoSuchUpload), so the handle cannot reach another principal's upload; the size is the caller's own
 * declaration, re-checked against the limit on every use and against the stored parts before completing.
 */
export function uploadHandle(size: number, s3UploadId: string): string {
  return `${size}.${s3UploadId}`;
}

export function parseUploadHandle(value: unknown): { size: number; s3UploadId: string } | undefined {
  const m = typeof value === "string" ? /^(0|[1-9][0-9]{0,15})\.([A-Za-z0-9._-]{1,1024})$/.exec(value) : null;
  return m ? { size: Number(m[1]), s3UploadId: m[2]! } : undefined;
}
