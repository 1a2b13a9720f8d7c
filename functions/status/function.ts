import { defineFunction } from "../../pipeline/function-declaration";
import { bucket, table } from "../../pipeline/refs";
import { spaceRoot } from "../lib/key-space";

export default defineFunction((config) => ({
  description: "Returns the metadata record of a processed file",
  memoryMb: 256,
  timeoutSeconds: 5,
  environment: { TABLE_NAME: table("files").name, IN_BUCKET: bucket("in").name },
  permissions: [
    { sid: "ReadMetadata", actions: ["dynamodb:GetItem"], resources: [table("files").arn] },
    // HeadObject of the current upload, to tell "pending" from "processed" (HeadObject needs s3:GetObject).
    { sid: "HeadUploads", actions: ["s3:GetObject"], resources: [bucket("in").objectsUnder(spaceRoot(config.api.auth.enabled))] },
    // Pitfall: without s3:ListBucket, S3 answers 403 (not 404) for a key with no object, and "never uploaded" would be a 500.
    { sid: "MissingUploads", actions: ["s3:ListBucket"], resources: [bucket("in").arn] },
  ],
  routes: [{ method: "GET", path: "/files/{key+}", query: { etag: false } }],
}));
