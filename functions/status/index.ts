import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { dynamodbClient } from "../lib/clients";
import { fromItem, HASH_KEY } from "../lib/file-record";
import { error, internalError, isObject, json, requestOrigin } from "../lib/http";
import { errorFields, log } from "../lib/log";
import { checkObjectKey } from "../lib/object-key";

/**
 * REST API proxy events carry path parameters percent-encoded as the client sent them; decode once. A value
 * that is not valid percent-encoding is taken literally (the key rules below still apply).
 */
export function decodePathKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** GET /files/{key+} -> the file's metadata record. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const origin = requestOrigin(event);
  if (!isObject(event)) return error(400, "InvalidRequest", "The request is not an API Gateway proxy event", origin);
  const params = isObject(event.pathParameters) ? event.pathParameters : {};
  const raw = params.key;
  if (raw === undefined || raw === null) return error(400, "MissingKey", "the file key is required in the path", origin);
  const key = checkObjectKey(typeof raw === "string" ? decodePathKey(raw) : raw, "key");
  if (!key.ok) return error(400, "InvalidKey", key.message, origin);

  const table = process.env.TABLE_NAME;
  if (!table) {
    log.error("status misconfigured: TABLE_NAME is not set");
    return internalError(origin);
  }
  try {
    const out = await dynamodbClient().send(new GetItemCommand({ TableName: table, Key: { [HASH_KEY]: { S: key.key } } }));
    if (!out.Item) return error(404, "NotFound", `No file "${key.key}" has been processed`, origin);
    return json(200, fromItem(out.Item), origin);
  } catch (e) {
    log.error("status lookup failed", { key: key.key, ...errorFields(e) });
    return internalError(origin);
  }
}
