import { defineFunction } from "../../pipeline/function-declaration";
import { table } from "../../pipeline/refs";

export default defineFunction(() => ({
  description: "Returns the metadata record of a processed file",
  memoryMb: 256,
  timeoutSeconds: 5,
  environment: { TABLE_NAME: table("files").name },
  permissions: [{ sid: "ReadMetadata", actions: ["dynamodb:GetItem"], resources: [table("files").arn] }],
  routes: [{ method: "GET", path: "/files/{key+}" }],
}));
