import type { IncomingMessage, ServerResponse } from "node:http";
import type { IamRequest } from "../policy/iam-evaluation";
import type { ServiceScope } from "./iam-actions";
import type { LocalIam } from "./local-iam";
import { readRequestBody } from "./request-body";
import { verifySigV4 } from "./sigv4";

export interface JsonRefusal {
  readonly status: number;
  /** The error's __type (the SDK names the error after it). */
  readonly type: string;
  readonly message: string;
}

export interface JsonService {
  /** The signing name (dynamodb, ssm, sqs). */
  readonly service: string;
  /** The X-Amz-Target prefix before the operation ("DynamoDB_20120810."). */
  readonly targetPrefix: string;
  readonly scope: ServiceScope;
  readonly requestsOf: (scope: ServiceScope, operation: string, body: Record<string, unknown>) => IamRequest[] | undefined;
}

/** Reads a request's body whole (the signature covers it), then handles it; a request that breaks off is dropped. */
export function withBody(req: IncomingMessage, res: ServerResponse, handle: (body: Buffer) => void): void {
  readRequestBody(req).then(handle, () => res.destroy());
}

/**
 * Authenticates a JSON-protocol call (SigV4 for this service and region, a known key, its session token) and
 * authorizes it (the key's policies allow every IAM request the call makes). Undefined when it may proceed.
 */
export function guardJsonCall(iam: LocalIam, service: JsonService, req: IncomingMessage, body: Buffer): JsonRefusal | undefined {
  const url = new URL(req.url ?? "/", "http://local");
  const signed = verifySigV4({ method: req.method ?? "POST", path: url.pathname, query: url.search.slice(1), headers: req.headers, body }, service.service, service.scope.region, (id) => iam.secretOf(id));
  if (!signed.ok) return { status: 400, type: signed.error, message: signed.message };
  if (iam.isOperator(signed.accessKeyId)) return undefined;
  const target = String(req.headers["x-amz-target"] ?? "");
  const operation = target.startsWith(service.targetPrefix) ? target.slice(service.targetPrefix.length) : "";
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
  } catch {
    return { status: 400, type: "SerializationException", message: "the request body is not JSON" };
  }
  const requests = operation ? service.requestsOf(service.scope, operation, parsed) : undefined;
  if (!requests) return { status: 501, type: "NotImplemented", message: `${target || "(no X-Amz-Target)"}: the local IAM does not know which actions AWS checks for it (add it to local/iam-actions.ts)` };
  const refused = iam.check(signed.accessKeyId, signed.sessionToken, requests);
  if (!refused) return undefined;
  return refused.code === "InvalidToken" ? { status: 400, type: "UnrecognizedClientException", message: refused.message } : { status: 400, type: "AccessDeniedException", message: refused.message };
}
