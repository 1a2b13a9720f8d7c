import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { dynamodbClient } from "../lib/clients";
import { fromItem, HASH_KEY } from "../lib/file-record";
import { fail, httpHandler, INTERNAL_ERROR, ok } from "../lib/http";
import { log } from "../lib/log";
import { checkObjectKey } from "../lib/object-key";
import { decodePathKey } from "../lib/path-key";

/** GET /files/{key+} -> the file's metadata record. */
export const handler = httpHandler(async ({ pathParameters }) => {
  const raw = pathParameters.key;
  if (raw === undefined || raw === null) return fail(400, "MissingKey", "the file key is required in the path");
  const key = checkObjectKey(typeof raw === "string" ? decodePathKey(raw) : raw, "key");
  if (!key.ok) return fail(400, "InvalidKey", key.message);

  const table = process.env.TABLE_NAME;
  if (!table) {
    log.error("status misconfigured: TABLE_NAME is not set");
    return INTERNAL_ERROR;
  }
  const out = await dynamodbClient().send(new GetItemCommand({ TableName: table, Key: { [HASH_KEY]: { S: key.key } } }));
  if (!out.Item) return fail(404, "NotFound", `No file "${key.key}" has been processed`);
  return ok(fromItem(out.Item));
});
