import type { IncomingMessage, ServerResponse } from "node:http";

/** One rule of an aws_s3_bucket_cors_configuration, as synthesized. */
export interface CorsRule {
  readonly allowedMethods: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

// S3 allows one "*" wildcard in an AllowedOrigin or AllowedHeader; headers compare case-insensitively.
const wildcard = (pattern: string, flags = "") => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, flags);

const VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

function xmlError(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/xml");
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/**
 * Amazon S3's CORS, applied from the synthesized bucket configurations: the first rule whose origin, method and
 * (for a preflight) every requested header match decides; a preflight no rule allows is a 403, and an actual
 * request no rule allows gets no CORS headers, so the browser blocks it. (s3rver's own CORS answers every
 * allowed preflight with "*" and no max age; this replaces it.)
 */
export class S3Cors {
  constructor(private readonly rules: ReadonlyMap<string, readonly CorsRule[]>) {}

  private match(bucket: string, origin: string, method: string, headers: readonly string[] = []): CorsRule | undefined {
    return this.rules.get(bucket)?.find(
      (r) =>
        r.allowedOrigins.some((o) => wildcard(o).test(origin)) &&
        r.allowedMethods.includes(method) &&
        headers.every((h) => r.allowedHeaders.some((a) => wildcard(a, "i").test(h))),
    );
  }

  private common(res: ServerResponse, rule: CorsRule, origin: string): void {
    const any = rule.allowedOrigins.includes("*");
    res.setHeader("Access-Control-Allow-Origin", any ? "*" : origin);
    res.setHeader("Access-Control-Allow-Methods", rule.allowedMethods.join(", "));
    if (rule.exposeHeaders.length) res.setHeader("Access-Control-Expose-Headers", rule.exposeHeaders.join(", "));
    if (rule.maxAgeSeconds !== undefined) res.setHeader("Access-Control-Max-Age", String(rule.maxAgeSeconds));
    if (!any) res.setHeader("Access-Control-Allow-Credentials", "true");
    res.setHeader("Vary", VARY);
  }

  /** OPTIONS on a bucket or object: answered here, as S3 answers it. */
  preflight(bucket: string, req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    const method = req.headers["access-control-request-method"];
    if (!origin) return xmlError(res, 400, "BadRequest", "Insufficient information. Origin request header needed.");
    if (typeof method !== "string" || method === "") return xmlError(res, 400, "BadRequest", "Invalid Access-Control-Request-Method: null");
    if (!this.rules.has(bucket)) return xmlError(res, 403, "CORSResponse", "CORS is not enabled for this bucket.");
    const requested = String(req.headers["access-control-request-headers"] ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
    const rule = this.match(bucket, origin, method, requested);
    if (!rule) {
      return xmlError(res, 403, "CORSResponse", "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.");
    }
    this.common(res, rule, origin);
    if (requested.length) res.setHeader("Access-Control-Allow-Headers", requested.join(", "));
    res.statusCode = 200;
    res.end();
  }

  /** CORS headers for an actual request (set before the response is written), or none when no rule allows it. */
  actual(bucket: string, req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    const rule = origin ? this.match(bucket, origin, req.method ?? "GET") : undefined;
    if (rule && origin) this.common(res, rule, origin);
  }
}

/** The rules of every synthesized aws_s3_bucket_cors_configuration, by bucket name. */
export function corsRulesOf(configurations: ReadonlyArray<{ bucket: string; rules: ReadonlyArray<Record<string, unknown>> }>): Map<string, CorsRule[]> {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return new Map(
    configurations.map((c) => [
      c.bucket,
      c.rules.map((r) => ({
        allowedMethods: list(r.allowed_methods),
        allowedOrigins: list(r.allowed_origins),
        allowedHeaders: list(r.allowed_headers),
        exposeHeaders: list(r.expose_headers),
        ...(typeof r.max_age_seconds === "number" ? { maxAgeSeconds: r.max_age_seconds } : {}),
      })),
    ]),
  );
}
