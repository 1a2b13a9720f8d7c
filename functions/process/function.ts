import { defineFunction } from "../../pipeline/function-declaration";
import { bucket, table } from "../../pipeline/refs";

export default defineFunction(() => ({
  description: "Copies uploaded objects to the out-bucket and records their metadata",
  memoryMb: 512,
  timeoutSeconds: 300,
  environment: { OUT_BUCKET: bucket("out").name, TABLE_NAME: table("files").name },
  permissions: [
    { sid: "ReadUploads", actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [bucket("in").objects] },
    // Multipart copies (above 5 GiB) are aborted on failure; PutObject covers UploadPartCopy and Complete.
    { sid: "WriteProcessed", actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: [bucket("out").objects] },
    { sid: "RecordMetadata", actions: ["dynamodb:GetItem", "dynamodb:PutItem"], resources: [table("files").arn] },
  ],
  objectCreated: [{ bucket: "in" }],
}));
