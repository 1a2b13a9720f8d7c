import { defineFunction } from "../../pipeline/function-declaration";
import { bucket } from "../../pipeline/refs";
import { spaceRoot } from "../lib/key-space";
import { uploadEnvironment } from "../lib/upload-environment";
import { UPLOAD_ROUTES } from "./routes";

export default defineFunction((config) => {
  const uploads = bucket("in").objectsUnder(spaceRoot(config.api.auth.enabled));
  return {
    description: "Uppy Companion-compatible S3 uploads: presigned PUT and multipart (create, sign parts, list, complete, abort)",
    memoryMb: 256,
    // CompleteMultipartUpload of many parts can take S3 many seconds; API Gateway waits at most 29.
    timeoutSeconds: 28,
    environment: uploadEnvironment(config),
    // s3:PutObject covers PutObject, CreateMultipartUpload, UploadPart (signed here, used by the client) and
    // CompleteMultipartUpload; listing and aborting have their own actions. Only inside the key spaces.
    permissions: [
      { sid: "Uploads", actions: ["s3:PutObject"], resources: [uploads] },
      { sid: "MultipartParts", actions: ["s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"], resources: [uploads] },
    ],
    routes: Object.values(UPLOAD_ROUTES),
  };
});
