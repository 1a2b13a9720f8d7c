import { defineFunction } from "../../pipeline/function-declaration";
import { bucket } from "../../pipeline/refs";
import { spaceRoot } from "../lib/key-space";
import { uploadEnvironment } from "../lib/upload-environment";

export default defineFunction((config) => {
  const spaces = spaceRoot(config.api.auth.enabled);
  return {
    description: "Issues presigned S3 upload and download URLs",
    memoryMb: 256,
    timeoutSeconds: 5,
    environment: { ...uploadEnvironment(config), OUT_BUCKET: bucket("out").name },
    // Signing needs no call to S3: the URL carries these permissions to the client. Only keys inside the key spaces.
    permissions: [
      { sid: "PresignUpload", actions: ["s3:PutObject"], resources: [bucket("in").objectsUnder(spaces)] },
      { sid: "PresignDownload", actions: ["s3:GetObject"], resources: [bucket("out").objectsUnder(spaces)] },
    ],
    routes: [{ method: "GET", path: "/presign", query: { file: true, mode: false, contentType: false, size: false } }],
  };
});
