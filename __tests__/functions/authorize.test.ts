import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type GenerateKeyPairResult, type JWK } from "jose";
import { handler, resetVerifier, stageWildcard } from "../../functions/authorize/index";
import { JwtVerifier } from "../../functions/authorize/verifier";

const METHOD_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/GET/presign";
const STAGE_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/dev/*";
const SECRET = "a-long-test-secret-of-at-least-32-bytes!!";
const ssm = mockClient(SSMClient);

const now = () => Math.floor(Date.now() / 1000);
const event = (authorizationToken: unknown, methodArn: unknown = METHOD_ARN) => ({ type: "TOKEN", authorizationToken, methodArn }) as any;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

function useEnv(env: Record<string, string>) {
  for (const k of ["JWKS_URL", "JWT_SECRET_PARAM", "JWT_ISSUER", "JWT_AUDIENCE"]) delete process.env[k];
  Object.assign(process.env, env);
  resetVerifier();
}

async function hs256(claims: Record<string, unknown>, secret = SECRET, header: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", ...header }).sign(new TextEncoder().encode(secret));
}

describe("HS256 with the secret from SSM", () => {
  beforeEach(() => {
    ssm.reset();
    ssm.on(GetParameterCommand, { Name: "/ddn/test/jwt", WithDecryption: true }).resolves({ Parameter: { Value: SECRET } });
    useEnv({ JWT_SECRET_PARAM: "/ddn/test/jwt", JWT_ISSUER: "ddn-test", JWT_AUDIENCE: "ddn-api" });
  });
  const valid = (extra: Record<string, unknown> = {}) =>
    hs256({ sub: "user-1", iss: "ddn-test", aud: "ddn-api", exp: now() + 300, scope: "files:read", email: "u@example.com", ...extra });

  test("a valid token is allowed for the whole stage, principalId = sub, claims in context", async () => {
    const res = await handler(event(`Bearer ${await valid()}`));
    expect(res).toEqual({
      principalId: "user-1",
      policyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: STAGE_ARN }] },
      context: { sub: "user-1", iss: "ddn-test", scope: "files:read", email: "u@example.com" },
    });
  });

  test("the secret is read from SSM once per container", async () => {
    for (let i = 0; i < 3; i++) await handler(event(`Bearer ${await valid()}`));
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  test.each([
    ["expired", { exp: now() - 60 }],
    ["not yet valid", { nbf: now() + 60 }],
    ["wrong issuer", { iss: "someone-else" }],
    ["wrong audience", { aud: "other-api" }],
  ])("%s -> Unauthorized", async (_n, claims) => {
    await expect(handler(event(`Bearer ${await valid(claims)}`))).rejects.toThrow(/^Unauthorized$/);
  });

  test("expiry within the 5 s clock tolerance is accepted", async () => {
    await expect(handler(event(`Bearer ${await valid({ exp: now() - 2 })}`))).resolves.toHaveProperty("principalId", "user-1");
  });

  test("a token signed with another key -> Unauthorized", async () => {
    const token = await hs256({ sub: "u", iss: "ddn-test", aud: "ddn-api", exp: now() + 60 }, "another-secret-another-secret-another!!");
    await expect(handler(event(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
  });

  test('alg "none" -> Unauthorized', async () => {
    const token = `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "admin", iss: "ddn-test", aud: "ddn-api", exp: now() + 60 })}.`;
    await expect(handler(event(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
  });

  test.each([
    ["no Bearer prefix", async () => valid()],
    ["lower-case scheme", async () => `bearer ${await valid()}`],
    ["garbage", async () => "Bearer not.a.jwt"],
    ["empty", async () => ""],
    ["not a string", async () => 42],
    ["token without sub", async () => `Bearer ${await hs256({ iss: "ddn-test", aud: "ddn-api", exp: now() + 60 })}`],
  ])("%s -> Unauthorized", async (_n, make) => {
    await expect(handler(event(await make()))).rejects.toThrow(/^Unauthorized$/);
  });

  test("an SSM failure is a fault (500), not a 401, and is retried on the next call", async () => {
    ssm.reset();
    ssm.on(GetParameterCommand).rejectsOnce(new Error("ThrottlingException")).resolves({ Parameter: { Value: SECRET } });
    await expect(handler(event(`Bearer ${await valid()}`))).rejects.toThrow("Authorizer fault");
    await expect(handler(event(`Bearer ${await valid()}`))).resolves.toHaveProperty("principalId", "user-1");
  });

  test("stageWildcard keeps api id and stage, widens method and path", () => {
    expect(stageWildcard("arn:aws:execute-api:us-east-1:1:api/v1/GET/files/a/b")).toBe("arn:aws:execute-api:us-east-1:1:api/v1/*");
    expect(stageWildcard("garbage")).toBeUndefined();
  });
});

describe("RS256/ES256 from a JWKS endpoint", () => {
  let server: Server;
  let hits = 0;
  let keys: { rs: GenerateKeyPairResult; es: GenerateKeyPairResult; other: GenerateKeyPairResult; jwks: { keys: JWK[] } };
  let jwksUrl: string;

  beforeAll(async () => {
    const rs = await generateKeyPair("RS256", { extractable: true });
    const es = await generateKeyPair("ES256", { extractable: true });
    const other = await generateKeyPair("RS256", { extractable: true });
    const jwks = {
      keys: [
        { ...(await exportJWK(rs.publicKey)), kid: "rs", alg: "RS256", use: "sig" },
        { ...(await exportJWK(es.publicKey)), kid: "es", alg: "ES256", use: "sig" },
      ],
    };
    keys = { rs, es, other, jwks };
    server = createServer((_req, res) => {
      hits++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    hits = 0;
    useEnv({ JWKS_URL: jwksUrl, JWT_ISSUER: "https://issuer.test/", JWT_AUDIENCE: "ddn-api" });
  });

  const claims = { sub: "user-2", iss: "https://issuer.test/", aud: "ddn-api" };
  const sign = (alg: string, kid: string, key: CryptoKey, extra: Record<string, unknown> = {}) =>
    new SignJWT({ ...claims, ...extra }).setProtectedHeader({ alg, kid }).setExpirationTime("5m").sign(key);

  test("RS256 and ES256 tokens verify; keys are fetched once and cached", async () => {
    await expect(handler(event(`Bearer ${await sign("RS256", "rs", keys.rs.privateKey)}`))).resolves.toHaveProperty("principalId", "user-2");
    await expect(handler(event(`Bearer ${await sign("ES256", "es", keys.es.privateKey)}`))).resolves.toHaveProperty("principalId", "user-2");
    await handler(event(`Bearer ${await sign("RS256", "rs", keys.rs.privateKey)}`));
    expect(hits).toBe(1);
  });

  test("an HS256 token keyed with the public key (algorithm confusion) -> Unauthorized", async () => {
    const pem = await exportSPKI(keys.rs.publicKey);
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: "HS256", kid: "rs" }).setExpirationTime("5m").sign(new TextEncoder().encode(pem));
    await expect(handler(event(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
  });

  test("a token from a key not in the JWKS -> Unauthorized", async () => {
    await expect(handler(event(`Bearer ${await sign("RS256", "rs", keys.other.privateKey)}`))).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(event(`Bearer ${await sign("RS256", "unknown-kid", keys.other.privateKey)}`))).rejects.toThrow(/^Unauthorized$/);
  });

  test("expired -> Unauthorized", async () => {
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: "RS256", kid: "rs" }).setExpirationTime(now() - 60).sign(keys.rs.privateKey);
    await expect(handler(event(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
  });

  test("an unreachable JWKS endpoint is a fault, not a 401", async () => {
    useEnv({ JWKS_URL: "http://127.0.0.1:1/jwks.json" });
    await expect(handler(event(`Bearer ${await sign("RS256", "rs", keys.rs.privateKey)}`))).rejects.toThrow("Authorizer fault");
  });
});

describe("token lifetime claims", () => {
  beforeEach(() => {
    ssm.reset();
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SECRET } });
    useEnv({ JWT_SECRET_PARAM: "/ddn/test/jwt" });
  });
  test.each([
    ["no exp", { sub: "u" }],
    ["iat beyond the leeway in the future", { sub: "u", exp: now() + 600, iat: now() + 120 }],
    ["nbf beyond the leeway in the future", { sub: "u", exp: now() + 600, nbf: now() + 120 }],
    // The sub names the caller's key space: it must be one a space can be made of.
    ["no sub", { exp: now() + 600 }],
    ["an empty sub", { sub: "", exp: now() + 600 }],
    ["a sub that is not a string", { sub: 42, exp: now() + 600 }],
    ["a sub longer than 256 bytes", { sub: "ü".repeat(129), exp: now() + 600 }],
  ])("%s -> Unauthorized", async (_name, claims) => {
    await expect(handler(event(`Bearer ${await hs256(claims)}`))).rejects.toThrow(/^Unauthorized$/);
  });
  test("a sub of 256 bytes with any characters (auth0|, slashes, unicode) is a principal", async () => {
    const sub = `auth0|a/b ü${"x".repeat(256 - 12)}`;
    expect(Buffer.byteLength(sub)).toBe(256);
    await expect(handler(event(`Bearer ${await hs256({ sub, exp: now() + 600 })}`))).resolves.toMatchObject({ principalId: sub });
  });
  test("iat and nbf within the leeway are accepted", async () => {
    await expect(handler(event(`Bearer ${await hs256({ sub: "u", exp: now() + 600, iat: now() + 3, nbf: now() + 3 })}`))).resolves.toMatchObject({ principalId: "u" });
  });
});

// An identity-provider outage must be a fault (API Gateway answers 500), never a 401 and never an Allow. Each mode is
// a real socket on 127.0.0.1, except DNS, which would send a query off this machine: there the fetch fails as
// Node's does for an unresolvable name.
describe("every way the JWKS endpoint can be unreachable is a fault", () => {
  const servers: Server[] = [];
  // Sockets the silent servers keep open: destroyed after the tests, or they hold the process (and jest) open.
  const sockets = new Set<import("node:net").Socket>();
  const listen = async (handle: (s: import("node:net").Socket) => void, http = false): Promise<number> => {
    const server = http ? createServer((_req, res) => res.end("{}")) : (require("node:net").createServer(handle) as Server);
    server.on("connection", (socket: import("node:net").Socket) => sockets.add(socket));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  };
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
  let keys: { privateKey: CryptoKey };
  beforeAll(async () => (keys = await generateKeyPair("RS256")));
  const token = () => new SignJWT({ sub: "u" }).setProtectedHeader({ alg: "RS256", kid: "k" }).setExpirationTime("5m").sign(keys.privateKey);
  const expectFault = async (jwksUrl: string) => {
    useEnv({ JWKS_URL: jwksUrl });
    await expect(handler(event(`Bearer ${await token()}`))).rejects.toThrow("Authorizer fault");
  };

  test("connection refused", async () => {
    const port = await listen(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    await expectFault(`http://127.0.0.1:${port}/jwks.json`);
  });
  test("connection reset", async () => expectFault(`http://127.0.0.1:${await listen((s) => s.destroy())}/jwks.json`));
  test("no answer (timeout)", async () => expectFault(`http://127.0.0.1:${await listen(() => undefined)}/jwks.json`), 10_000);
  test("TLS handshake failure (https to a server that does not speak TLS)", async () => expectFault(`https://127.0.0.1:${await listen(() => undefined, true)}/jwks.json`));
  test("an HTTP error status", async () => {
    const server = createServer((_req, res) => ((res.statusCode = 503), res.end("down")));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    await expectFault(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`);
  });
  test("DNS failure", async () => {
    const dnsFailure = () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("getaddrinfo ENOTFOUND jwks.example.invalid"), { code: "ENOTFOUND" }) }));
    const verifier = new JwtVerifier({ jwksUrl: "https://jwks.example.invalid/jwks.json" }, undefined, dnsFailure as unknown as typeof fetch);
    const error = await verifier.verify(await token()).catch((e: unknown) => e);
    expect((error as Error).name).not.toBe("InvalidToken");
    expect((error as Error).message).toBe("fetch failed");
  });
  test("a malformed token is still a 401, decided before any key is fetched", async () => {
    useEnv({ JWKS_URL: "http://127.0.0.1:1/jwks.json" });
    await expect(handler(event("Bearer aaa.bbb.ccc"))).rejects.toThrow(/^Unauthorized$/);
  });
});
