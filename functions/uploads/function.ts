import { defineFunction } from "../../pipeline/function-declaration";
import { bucket } from "../../pipeline/refs";
import { spaceRoot } from "../lib/key-space";
import { UPLOAD_ROUTES } from "./routes";

export default defineFunction((config) => {
  const uploads = bucket("in").objectsUnder(spaceRoot(config.api.auth.enabled));
  return {
    description: "Uppy Companion-compatible S3 uploads: presigned PUT and multipart (create, sign parts, list, complete, abort)",
    memoryMb: 256,
    timeoutSeconds: 10,
    environment: {
      IN_BUCKET: bucket("in").name,
      URL_EXPIRES_SECONDS: String(config.presign.urlExpiresSeconds),
      MAX_UPLOAD_BYTES: String(config.storage.maxUploadBytes),
      ...(config.presign.allowedContentTypes.length > 0 ? { ALLOWED_CONTENT_TYPES: config.presign.allowedContentTypes.join(",") } : {}),
    },
    // s3:PutObject covers PutObject, CreateMultipartUpload, UploadPart (signed here, used by the client) and
    // CompleteMultipartUpload; listing and aborting have their own actions. Only inside the key spaces.
    permissions: [
      { sid: "Uploads", actions: ["s3:PutObject"], resources: [uploads] },
      { sid: "MultipartParts", actions: ["s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"], resources: [uploads] },
    ],
    routes: Object.values(UPLOAD_ROUTES),
  };
});
