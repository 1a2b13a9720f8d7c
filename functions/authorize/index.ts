import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from "aws-lambda";
import { isObject } from "../lib/is-object";
import { isValidPrincipal, MAX_PRINCIPAL_BYTES } from "../lib/key-space";
import { beginInvocation, errorFields, log } from "../lib/log";
import { InvalidToken, JwtVerifier, readVerifierSettings } from "./verifier";

/** The exact message API Gateway turns into a 401 response. */
export const UNAUTHORIZED = "Unauthorized";
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
/** Claims passed to the integration in requestContext.authorizer (values must be scalars). */
const CONTEXT_CLAIMS = ["sub", "iss", "scope", "email", "client_id"] as const;

let verifier: JwtVerifier | undefined;

/**
 * arn:aws:execute-api:region:account:api/stage/METHOD/path -> arn:...:api/stage/* : the cached policy must allow
 * every route of the stage, or a cached result for /presign would deny /files.
 */
export function stageWildcard(methodArn: string): string | undefined {
  const m = /^(arn:[^:]+:execute-api:[^:]+:[^:]+:[^/]+\/[^/]+)\//.exec(methodArn);
  return m ? `${m[1]}/*` : undefined;
}

export async function handler(event: APIGatewayTokenAuthorizerEvent, context?: Context): Promise<APIGatewayAuthorizerResult> {
  beginInvocation(context);
  const token = isObject(event) && typeof event.authorizationToken === "string" ? BEARER.exec(event.authorizationToken)?.[1] : undefined;
  const resource = isObject(event) && typeof event.methodArn === "string" ? stageWildcard(event.methodArn) : undefined;
  if (!token || !resource) {
    log.info("denied", { reason: token ? "bad methodArn" : "missing or malformed bearer token" });
    throw new Error(UNAUTHORIZED);
  }
  try {
    verifier ??= new JwtVerifier(readVerifierSettings());
    const claims = await verifier.verify(token);
    const context: Record<string, string | number | boolean> = {};
    for (const name of CONTEXT_CLAIMS) {
      const value = claims[name];
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") context[name] = value;
    }
    // The sub names the caller's key space (functions/lib/key-space.ts): it must be one the space can be made of.
    if (!isValidPrincipal(claims.sub)) throw new InvalidToken(`token has no sub of 1 to ${MAX_PRINCIPAL_BYTES} bytes`);
    log.info("allowed", { sub: claims.sub });
    return {
      principalId: claims.sub,
      policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: resource }] },
      context,
    };
  } catch (error) {
    if (error instanceof InvalidToken) {
      log.info("denied", { reason: error.message });
      throw new Error(UNAUTHORIZED);
    }
    // A fault (JWKS or SSM unreachable): not the caller's fault, so not a 401; API Gateway answers 500.
    log.error("authorizer fault", errorFields(error));
    throw new Error("Authorizer fault");
  }
}

/** For tests: forget the cached verifier (and with it the cached keys). */
export function resetVerifier(): void {
  verifier = undefined;
}
