import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

/**
 * The identity provider of the local pipeline: issues test tokens the synthesized authorizer accepts.
 * HS256 environments (JWT_SECRET_PARAM) get a fresh secret served by the local SSM; JWKS environments get a
 * fresh ES256 key pair whose public half the local server publishes (JWKS_URL is pointed at it).
 */
export class LocalIdentity {
  private constructor(
    readonly mode: "hs256" | "jwks",
    private readonly key: Uint8Array | CryptoKey,
    readonly ssmParameters: Record<string, string>,
    readonly jwks: { keys: JWK[] } | undefined,
    private readonly issuer?: string,
    private readonly audience?: string,
  ) {}

  static async create(authorizeEnv: Record<string, string>): Promise<LocalIdentity> {
    const issuer = authorizeEnv.JWT_ISSUER;
    const audience = authorizeEnv.JWT_AUDIENCE;
    if (authorizeEnv.JWT_SECRET_PARAM) {
      const secret = randomBytes(32).toString("base64url");
      return new LocalIdentity("hs256", new TextEncoder().encode(secret), { [authorizeEnv.JWT_SECRET_PARAM]: secret }, undefined, issuer, audience);
    }
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "local", alg: "ES256", use: "sig" };
    return new LocalIdentity("jwks", privateKey, {}, { keys: [jwk] }, issuer, audience);
  }

  /** A token valid for `ttlSeconds` (default one hour). */
  async issue(claims: Record<string, unknown> = {}, ttlSeconds = 3600): Promise<string> {
    const jwt = new SignJWT({ sub: "local-user", scope: "files", ...claims })
      .setProtectedHeader(this.mode === "hs256" ? { alg: "HS256", typ: "JWT" } : { alg: "ES256", kid: "local", typ: "JWT" })
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
    if (this.issuer) jwt.setIssuer(this.issuer);
    if (this.audience) jwt.setAudience(this.audience);
    return jwt.sign(this.key);
  }
}
