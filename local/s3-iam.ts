import { s3Requests } from "./iam-actions";
import type { LocalIam } from "./local-iam";
import { authorizationCredential, parseCredential } from "./sigv4";

/** The parts of s3rver's koa context this layer uses (s3rver ships no types). */
export interface IamContext {
  method: string;
  query: Record<string, string | string[] | undefined>;
  params: { bucket?: string; key?: string };
  /** s3rver's authentication has merged the X-Amz-* query parameters of a presigned URL into these. */
  headers: Record<string, string | string[] | undefined>;
  /** The s3rver instance: the local IAM of its pipeline and the region its buckets are in. */
  app: { localIam?: LocalIam; localRegion?: string };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3Error = require("@20minutes/s3rver/lib/models/error") as new (code: string, message: string, detail?: Record<string, unknown>) => Error;

/** The key (and session token) an authenticated request was signed with, and for which region: header or presigned query. */
function callerOf(headers: IamContext["headers"]): { accessKeyId: string; sessionToken?: string; region: string; presigned: boolean } | undefined {
  const presigned = typeof headers["x-amz-credential"] === "string";
  const raw = presigned ? String(headers["x-amz-credential"]) : authorizationCredential(String(headers.authorization ?? ""));
  const credential = raw ? parseCredential(raw) : undefined;
  if (!credential) return undefined;
  const token = headers["x-amz-security-token"];
  return { accessKeyId: credential.accessKeyId, region: credential.region, presigned, ...(typeof token === "string" ? { sessionToken: token } : {}) };
}

/**
 * S3's authorization, after s3rver checked the signature: it must be Signature Version 4, for the buckets' region (s3rver takes any),
 * and the signer's policies must allow every action the request needs (a presigned URL carries its signer's
 * permissions). A missing key is 403, not 404, to a caller without s3:ListBucket on the bucket.
 */
export async function iamLikeS3(ctx: IamContext, next: () => Promise<void>): Promise<void> {
  // Pitfall: s3rver takes Signature Version 2, which S3 refuses for every bucket created since June 2020 (and which
  // names no region or session token to check here).
  if (/^AWS /.test(String(ctx.headers.authorization ?? "")) || "Signature" in ctx.query) {
    throw new S3Error("InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
  }
  const iam = ctx.app.localIam;
  const caller = callerOf(ctx.headers);
  const expected = ctx.app.localRegion;
  if (caller && expected && caller.region !== expected) {
    throw caller.presigned
      ? new S3Error("AuthorizationQueryParametersError", `Error parsing the X-Amz-Credential parameter; the region '${caller.region}' is wrong; expecting '${expected}'`, { Region: expected })
      : new S3Error("AuthorizationHeaderMalformed", `The authorization header is malformed; the region '${caller.region}' is wrong; expecting '${expected}'`, { Region: expected });
  }
  if (!iam || !caller || iam.isOperator(caller.accessKeyId)) return next();
  const bucket = ctx.params.bucket ?? "";
  const requests = s3Requests({ method: ctx.method, bucket, key: ctx.params.key ?? "", query: ctx.query, headers: ctx.headers });
  if (!requests) throw new S3Error("NotImplemented", `${ctx.method} with ${Object.keys(ctx.query).join(", ") || "no query"}: the local IAM does not know which actions S3 checks for it (add it to local/iam-actions.ts)`);
  const refused = iam.check(caller.accessKeyId, caller.sessionToken, requests);
  if (refused?.code === "InvalidToken") throw new S3Error("InvalidToken", "The provided token is malformed or otherwise invalid.");
  if (refused) throw new S3Error("AccessDenied", refused.message);
  try {
    await next();
  } catch (e) {
    // Pitfall: code that expects 404 for a missing object gets 403 in AWS unless its role may list the bucket.
    if ((e as { code?: string }).code === "NoSuchKey" && !iam.allows(caller.accessKeyId, caller.sessionToken, { action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}` })) {
      throw new S3Error("AccessDenied", "Access Denied");
    }
    throw e;
  }
}
