import type { EnvironmentConfig } from "../../config";
import { bucket, type EnvValue } from "../../pipeline/refs";

/**
 * The environment readUploadSettings (upload-settings.ts) reads, for the declarations of every function that
 * signs uploads. Declaration-side only: handlers never import this file.
 */
export function uploadEnvironment(config: EnvironmentConfig): Record<string, EnvValue> {
  return {
    IN_BUCKET: bucket("in").name,
    URL_EXPIRES_SECONDS: String(config.presign.urlExpiresSeconds),
    MAX_UPLOAD_BYTES: String(config.storage.maxUploadBytes),
    ...(config.presign.allowedContentTypes.length > 0 ? { ALLOWED_CONTENT_TYPES: config.presign.allowedContentTypes.join(",") } : {}),
  };
}
