import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { isObject } from "./is-object";
import { beginInvocation, errorFields, log } from "./log";

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

/** What a route handler answers; the wrapper adds the JSON encoding and the CORS headers. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

/** The parts of a proxy event a route reads, already shape-checked (hostile events have nulls or non-objects). */
export interface HttpRequest {
  readonly event: APIGatewayProxyEvent;
  readonly query: Readonly<Record<string, unknown>>;
  readonly pathParameters: Readonly<Record<string, unknown>>;
}

export const ok = (body: unknown): HttpResponse => ({ statusCode: 200, body });
export const fail = (statusCode: number, code: string, message: string): HttpResponse => ({ statusCode, body: { code, message } satisfies ErrorBody });
/** 500 with a fixed message: the cause goes to the log (with the request id), never to the client. */
export const INTERNAL_ERROR = fail(500, "InternalError", "Internal error; see the function log for the request id");

/** Allowed browser origins from ALLOWED_ORIGINS (comma-separated, set for every function behind the API). */
let originsCache: { raw: string | undefined; list: readonly string[] } | undefined;
function allowedOrigins(): readonly string[] {
  const raw = process.env.ALLOWED_ORIGINS;
  if (!originsCache || originsCache.raw !== raw) {
    originsCache = { raw, list: (raw ?? "").split(",").map((o) => o.trim()).filter(Boolean) };
  }
  return originsCache.list;
}

/** The request's Origin header, whatever its case; undefined for hostile or missing header maps. */
function requestOrigin(event: unknown): string | undefined {
  const headers = isObject(event) ? event.headers : undefined;
  if (!isObject(headers)) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === "origin" && typeof value === "string") return value;
  }
  return undefined;
}

/**
 * Echo the caller's origin when it is allowed, else name the first allowed one (never reflect arbitrary origins).
 * Allowed methods and headers are the preflight's business: API Gateway answers OPTIONS from the declared routes.
 */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  const list = allowedOrigins();
  const allow = list.includes("*") ? "*" : origin && list.includes(origin) ? origin : (list[0] ?? "null");
  return { "Access-Control-Allow-Origin": allow, Vary: "Origin" };
}

function toResult(r: HttpResponse, origin: string | undefined): APIGatewayProxyResult {
  return {
    statusCode: r.statusCode,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...corsHeaders(origin) },
    body: JSON.stringify(r.body),
  };
}

/**
 * The one wrapper every route handler uses: the request id on every log line, shape checks of the event,
 * CORS headers on every answer, and any fault mapped to a 500 with a fixed message (details in the log only).
 */
export function httpHandler(route: (request: HttpRequest) => Promise<HttpResponse>) {
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    beginInvocation(context);
    const origin = requestOrigin(event);
    if (!isObject(event)) return toResult(fail(400, "InvalidRequest", "The request is not an API Gateway proxy event"), origin);
    try {
      const query = isObject(event.queryStringParameters) ? event.queryStringParameters : {};
      const pathParameters = isObject(event.pathParameters) ? event.pathParameters : {};
      return toResult(await route({ event, query, pathParameters }), origin);
    } catch (e) {
      log.error("request failed", { path: typeof event.path === "string" ? event.path : undefined, ...errorFields(e) });
      return toResult(INTERNAL_ERROR, origin);
    }
  };
}
