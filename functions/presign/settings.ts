import { readUploadSettings, type UploadSettings } from "../lib/upload-settings";

export interface PresignSettings extends UploadSettings {
  readonly outBucket: string;
}

/** The upload settings plus the out-bucket downloads are signed for. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): PresignSettings {
  const outBucket = env.OUT_BUCKET;
  if (!outBucket) throw new Error("OUT_BUCKET must be set");
  return { ...readUploadSettings(env), outBucket };
}
