import { endpointOverride, region } from "../lib/aws-endpoints";
import { MAX_PRESIGNED_URL_SECONDS, MAX_SINGLE_PUT_BYTES } from "../lib/s3-limits";

const DEFAULT_EXPIRES_SECONDS = 3600;

export interface PresignSettings {
  readonly inBucket: string;
  readonly outBucket: string;
  readonly expiresIn: number;
  /** Largest upload, in bytes (MAX_UPLOAD_BYTES). */
  readonly maxUploadBytes: number;
  readonly allowedContentTypes: ReadonlySet<string>;
  readonly region: string;
  /** Local S3 (path-style URLs) when set; virtual-hosted AWS URLs otherwise. */
  readonly endpoint?: URL;
}

/** Reads and checks the environment once; a bad value is a deployment fault, reported as such. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): PresignSettings {
  const inBucket = env.IN_BUCKET;
  const outBucket = env.OUT_BUCKET;
  if (!inBucket || !outBucket) throw new Error("IN_BUCKET and OUT_BUCKET must be set");
  const rawExpiry = env.URL_EXPIRES_SECONDS;
  const expiresIn = rawExpiry === undefined || rawExpiry === "" ? DEFAULT_EXPIRES_SECONDS : Number(rawExpiry);
  if (!Number.isInteger(expiresIn) || expiresIn < 1) {
    throw new Error(`URL_EXPIRES_SECONDS must be a positive whole number (got "${rawExpiry}")`);
  }
  const maxUploadBytes = Number(env.MAX_UPLOAD_BYTES);
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes < 1 || maxUploadBytes > MAX_SINGLE_PUT_BYTES) {
    throw new Error(`MAX_UPLOAD_BYTES must be a whole number from 1 to ${MAX_SINGLE_PUT_BYTES} (got "${env.MAX_UPLOAD_BYTES}")`);
  }
  const override = endpointOverride("S3");
  return {
    inBucket,
    outBucket,
    expiresIn: Math.min(expiresIn, MAX_PRESIGNED_URL_SECONDS),
    maxUploadBytes,
    allowedContentTypes: new Set(
      (env.ALLOWED_CONTENT_TYPES ?? "").split(",").map((t) => t.trim().toLowerCase()).filter(Boolean),
    ),
    region: region(),
    ...(override ? { endpoint: new URL(override) } : {}),
  };
}
