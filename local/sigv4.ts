import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

// Signature Version 4 as AWS services other than S3 verify it (header-signed requests: DynamoDB, SSM, SQS over
// JSON). Written from the specification rather than taken from the SDK's signer, so a signing mistake the SDK
// makes is not repeated by the check.

export interface SignedRequest {
  readonly method: string;
  /** The path as sent (still percent-encoded), without the query. */
  readonly path: string;
  /** The query string as sent, without "?". */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type SignatureCheck =
  | { readonly ok: true; readonly accessKeyId: string; readonly sessionToken?: string }
  | { readonly ok: false; readonly error: "MissingAuthenticationTokenException" | "UnrecognizedClientException" | "InvalidSignatureException"; readonly message: string };

/** A SigV4 credential, "<key>/<yyyymmdd>/<region>/<service>/aws4_request" (header Credential= or X-Amz-Credential). */
export function parseCredential(credential: string): { accessKeyId: string; date: string; region: string; service: string } | undefined {
  const m = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(credential);
  return m ? { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]! } : undefined;
}

/** The credential of a header-signed request's Authorization. */
export const authorizationCredential = (authorization: string): string | undefined => /^AWS4-HMAC-SHA256 Credential=([^,\s]+)/.exec(authorization)?.[1];

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Services other than S3 encode each path segment again (the path as sent is already encoded once). */
const canonicalPath = (path: string) => path.split("/").map((segment) => rfc3986(segment)).join("/") || "/";

function canonicalQuery(query: string): string {
  if (!query) return "";
  return query
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const [k = "", v = ""] = pair.split("=");
      return [rfc3986(decodeURIComponent(k.replace(/\+/g, " "))), rfc3986(decodeURIComponent(v.replace(/\+/g, " ")))] as const;
    })
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

const headerValue = (value: string | string[] | undefined) => [value ?? ""].flat().map((v) => v.trim().replace(/\s+/g, " ")).join(",");

/** How far a request's X-Amz-Date may be from the server's clock (AWS: 15 minutes). */
const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Verifies a header-signed request for `service` in `region`, the secret looked up by access key id. The
 * credential scope must name this service and region, the date must be within 15 minutes, and the signature must
 * match the one computed over the signed headers and the body.
 */
export function verifySigV4(request: SignedRequest, service: string, region: string, secretOf: (accessKeyId: string) => string | undefined, now = Date.now()): SignatureCheck {
  const authorization = String(request.headers.authorization ?? "");
  const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  const credential = m ? parseCredential(m[1]!) : undefined;
  if (!m || !credential) return { ok: false, error: "MissingAuthenticationTokenException", message: "Missing Authentication Token" };
  const [, , signedHeaders = "", signature = ""] = m;
  const { accessKeyId, date, region: scopeRegion, service: scopeService } = credential;
  const secret = secretOf(accessKeyId);
  if (secret === undefined) return { ok: false, error: "UnrecognizedClientException", message: "The security token included in the request is invalid." };
  if (scopeService !== service) return { ok: false, error: "InvalidSignatureException", message: `Credential should be scoped to correct service: '${service}'.` };
  if (scopeRegion !== region) return { ok: false, error: "InvalidSignatureException", message: "Credential should be scoped to a valid region." };
  const amzDate = String(request.headers["x-amz-date"] ?? "");
  const at = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!at || !amzDate.startsWith(date)) return { ok: false, error: "InvalidSignatureException", message: "The request must carry an X-Amz-Date matching its credential scope." };
  const signedAt = Date.UTC(+at[1]!, +at[2]! - 1, +at[3]!, +at[4]!, +at[5]!, +at[6]!);
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) return { ok: false, error: "InvalidSignatureException", message: `Signature expired: ${amzDate} is now earlier or later than the server's time by more than 15 minutes.` };
  const names = signedHeaders.split(";");
  if (!names.includes("host")) return { ok: false, error: "InvalidSignatureException", message: "'Host' must be a signed header." };
  const canonical = [
    request.method.toUpperCase(),
    canonicalPath(request.path),
    canonicalQuery(request.query),
    names.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join(""),
    signedHeaders,
    sha256(request.body),
  ].join("\n");
  const scope = `${date}/${scopeRegion}/${scopeService}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", key).update(stringToSign, "utf8").digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) {
    return { ok: false, error: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method." };
  }
  const token = request.headers["x-amz-security-token"];
  return { ok: true, accessKeyId, ...(typeof token === "string" ? { sessionToken: token } : {}) };
}
