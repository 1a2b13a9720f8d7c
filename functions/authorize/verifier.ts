import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { endpointOverride } from "../lib/aws-endpoints";

/** Seconds of clock skew tolerated on exp/nbf/iat. */
const CLOCK_TOLERANCE_SECONDS = 5;
/** The JWKS fetch must end well inside the authorizer's own timeout (seconds), so an outage is a clean fault. */
const JWKS_TIMEOUT_MS = 2000;
/** Pinned per key source: a token can never choose its own algorithm (no "none", no HS256-with-public-key). */
const ASYMMETRIC_ALGORITHMS = ["RS256", "ES256"];
const SYMMETRIC_ALGORITHMS = ["HS256"];

export interface VerifierSettings {
  readonly jwksUrl?: string;
  readonly secretParam?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

export function readVerifierSettings(env: NodeJS.ProcessEnv = process.env): VerifierSettings {
  const s: VerifierSettings = {
    ...(env.JWKS_URL ? { jwksUrl: env.JWKS_URL } : {}),
    ...(env.JWT_SECRET_PARAM ? { secretParam: env.JWT_SECRET_PARAM } : {}),
    ...(env.JWT_ISSUER ? { issuer: env.JWT_ISSUER } : {}),
    ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE } : {}),
  };
  if (Boolean(s.jwksUrl) === Boolean(s.secretParam)) throw new Error("set exactly one of JWKS_URL or JWT_SECRET_PARAM");
  return s;
}

/** Raised when the token is bad: the caller answers 401. Anything else is a fault (500). */
export class InvalidToken extends Error {
  override readonly name = "InvalidToken";
}

type Key = { kind: "jwks"; get: JWTVerifyGetKey } | { kind: "secret"; get: () => Promise<Uint8Array> };

/**
 * Verifies JWTs. The JWKS (cached by jose, refetched on unknown kid with a cooldown) or the HS256 secret (one
 * SSM read per container; retried after a failure) lives as long as the container.
 */
export class JwtVerifier {
  private readonly key: Key;

  constructor(private readonly settings: VerifierSettings, ssm?: SSMClient, fetchJwks?: typeof fetch) {
    if (settings.jwksUrl) {
      this.key = {
        kind: "jwks",
        get: createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: JWKS_TIMEOUT_MS, ...(fetchJwks ? { [customFetch]: fetchJwks } : {}) }),
      };
    } else {
      const name = settings.secretParam!;
      let pending: Promise<Uint8Array> | undefined;
      const client = ssm ?? new SSMClient(endpointOverride("SSM") ? { endpoint: endpointOverride("SSM") } : {});
      this.key = {
        kind: "secret",
        get: () => {
          pending ??= client
            .send(new GetParameterCommand({ Name: name, WithDecryption: true }))
            .then((out) => {
              const value = out.Parameter?.Value;
              if (!value) throw new Error(`SSM parameter ${name} is empty`);
              return new TextEncoder().encode(value);
            })
            .catch((error: unknown) => {
              pending = undefined;
              throw error;
            });
          return pending;
        },
      };
    }
  }

  async verify(token: string): Promise<JWTPayload> {
    // The token's shape is checked before any key is fetched: from here on, an error that is not one of jose's
    // token errors (a refused, reset, timed-out, unresolvable or untrusted JWKS endpoint, an SSM outage) is a fault.
    try {
      decodeProtectedHeader(token);
      decodeJwt(token);
    } catch {
      throw new InvalidToken("malformed token");
    }
    const options = {
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // A token without an expiry would be valid forever.
      requiredClaims: ["exp"],
      ...(this.settings.issuer ? { issuer: this.settings.issuer } : {}),
      ...(this.settings.audience ? { audience: this.settings.audience } : {}),
    };
    let payload: JWTPayload;
    try {
      if (this.key.kind === "jwks") {
        payload = (await jwtVerify(token, this.key.get, { ...options, algorithms: ASYMMETRIC_ALGORITHMS })).payload;
      } else {
        const secret = await this.key.get();
        payload = (await jwtVerify(token, secret, { ...options, algorithms: SYMMETRIC_ALGORITHMS })).payload;
      }
    } catch (error) {
      throw classify(error);
    }
    // jose checks a future iat only with maxTokenAge; a token issued in the future is refused here.
    if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) throw new InvalidToken("iat is in the future");
    return payload;
  }
}

// jose's errors for a bad token; its JWKS fetch errors (timeout, invalid JWKS) and SSM errors stay faults.
const TOKEN_ERRORS = new Set([
  "ERR_JWT_EXPIRED",
  "ERR_JWT_CLAIM_VALIDATION_FAILED",
  "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  "ERR_JWS_INVALID",
  "ERR_JWT_INVALID",
  "ERR_JOSE_ALG_NOT_ALLOWED",
  "ERR_JOSE_NOT_SUPPORTED",
  "ERR_JWKS_NO_MATCHING_KEY",
  "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
]);

function classify(error: unknown): Error {
  const code = (error as { code?: string }).code;
  if (code && TOKEN_ERRORS.has(code)) return new InvalidToken(code);
  return error instanceof Error ? error : new Error(String(error));
}
