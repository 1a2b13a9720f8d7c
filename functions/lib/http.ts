import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
}

/** Allowed browser origins from ALLOWED_ORIGINS (comma-separated), read once per container. */
let originsCache: { raw: string | undefined; list: readonly string[] } | undefined;
function allowedOrigins(): readonly string[] {
  const raw = process.env.ALLOWED_ORIGINS;
  if (!originsCache || originsCache.raw !== raw) {
    originsCache = { raw, list: (raw ?? "").split(",").map((o) => o.trim()).filter(Boolean) };
  }
  return originsCache.list;
}

/** The request's Origin header, whatever its case; undefined for hostile or missing header maps. */
export function requestOrigin(event: unknown): string | undefined {
  const headers = (event as { headers?: unknown } | null)?.headers;
  if (!headers || typeof headers !== "object") return undefined;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (name.toLowerCase() === "origin" && typeof value === "string") return value;
  }
  return undefined;
}

/** Echo the caller's origin when it is allowed, else name the first allowed one (never reflect arbitrary origins). */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  const list = allowedOrigins();
  const allow = list.includes("*") ? "*" : origin && list.includes(origin) ? origin : (list[0] ?? "null");
  return {
    "Access-Control-Allow-Origin": allow,
    "Access-Control-Allow-Headers": "Authorization,Content-Type",
    "Access-Control-Allow-Methods": "GET,HEAD,OPTIONS",
    Vary: "Origin",
  };
}

export function json(statusCode: number, body: unknown, origin: string | undefined): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...corsHeaders(origin) },
    body: JSON.stringify(body),
  };
}

export function error(statusCode: number, code: string, message: string, origin: string | undefined): APIGatewayProxyResult {
  const body: ErrorBody = { code, message };
  return json(statusCode, body, origin);
}

/** 500 with a fixed message: the cause goes to the log, never to the client. */
export function internalError(origin: string | undefined): APIGatewayProxyResult {
  return error(500, "InternalError", "Internal error; see the function log for the request id", origin);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** queryStringParameters may be null, absent, or (in hostile events) not an object at all. */
export function queryParams(event: Partial<APIGatewayProxyEvent>): Record<string, unknown> {
  return isObject(event.queryStringParameters) ? event.queryStringParameters : {};
}
