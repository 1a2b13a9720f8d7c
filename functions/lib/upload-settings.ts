import { endpointOverride, region } from "./aws-endpoints";
import { MAX_PRESIGNED_URL_SECONDS, MAX_SINGLE_PUT_BYTES } from "./s3-limits";

const DEFAULT_EXPIRES_SECONDS = 3600;

/** What every route that signs uploads reads from its environment. */
export interface UploadSettings {
  readonly inBucket: string;
  readonly expiresIn: number;
  /** Largest upload, in bytes (MAX_UPLOAD_BYTES). */
  readonly maxUploadBytes: number;
  readonly allowedContentTypes: ReadonlySet<string>;
  readonly region: string;
  /** Local S3 (path-style URLs) when set; virtual-hosted AWS URLs otherwise. */
  readonly endpoint?: URL;
}

/** Reads and checks the environment once; a bad value is a deployment fault, reported as such. */
export function readUploadSettings(env: NodeJS.ProcessEnv = process.env): UploadSettings {
  const inBucket = env.IN_BUCKET;
  if (!inBucket) throw new Error("IN_BUCKET must be set");
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
    expiresIn: Math.min(expiresIn, MAX_PRESIGNED_URL_SECONDS),
    maxUploadBytes,
    allowedContentTypes: new Set(
      (env.ALLOWED_CONTENT_TYPES ?? "").split(",").map((t) => t.trim().toLowerCase()).filter(Boolean),
    ),
    region: region(),
    ...(override ? { endpoint: new URL(override) } : {}),
  };
}
