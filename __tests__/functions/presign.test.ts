import fc from "fast-check";
import { binaryString } from "./arbitraries";
import { principalPrefix } from "../../functions/lib/key-space";
import { apiEvent, TEST_PRINCIPAL } from "./events";

/** The caller's key space: every signed key starts with it. */
const SPACE = principalPrefix(TEST_PRINCIPAL);

type Handler = typeof import("../../functions/presign/index").handler;

const ENV = {
  IN_BUCKET: "ddn-dev-in",
  MAX_UPLOAD_BYTES: "1000",
  OUT_BUCKET: "ddn-dev-out",
  ALLOWED_ORIGINS: "http://localhost:3000,https://app.example.com",
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00",
  AWS_SECRET_ACCESS_KEY: "secretsecretsecretsecretsecretsecretsecr",
  AWS_REGION: "eu-west-1",
  KEY_SPACES: "private",
};

/** Fresh module (and so fresh per-container state) with the given environment. */
function load(env: Record<string, string | undefined> = {}): Handler {
  jest.resetModules();
  for (const k of ["IN_BUCKET", "OUT_BUCKET", "MAX_UPLOAD_BYTES", "URL_EXPIRES_SECONDS", "ALLOWED_CONTENT_TYPES", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) delete process.env[k];
  Object.assign(process.env, ENV);
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return require("../../functions/presign/index").handler;
}

const call = async (handler: Handler, query: Record<string, unknown> | null, headers: Record<string, string> = {}) => {
  const res = await handler(apiEvent({ queryStringParameters: query as any, headers }));
  return { ...res, json: JSON.parse(res.body) };
};

describe("presign: URLs", () => {
  test("download is the default mode (seed-compatible) and points at the out-bucket", async () => {
    const r = await call(load(), { file: "reports/q3.pdf" });
    expect(r.statusCode).toBe(200);
    expect(r.json).toMatchObject({ method: "GET", bucket: "ddn-dev-out", key: `${SPACE}reports/q3.pdf`, expiresIn: 3600, headers: {} });
    const url = new URL(r.json.url);
    expect(url.origin).toBe("https://ddn-dev-out.s3.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe(`/${SPACE}reports/q3.pdf`);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("3600");
  });

  test("upload points at the in-bucket with a PUT and encodes the key as S3 does", async () => {
    const r = await call(load(), { file: "a b+c/ü(1).png", mode: "upload", size: "10" });
    expect(r.json).toMatchObject({ method: "PUT", bucket: "ddn-dev-in", key: `${SPACE}a b+c/ü(1).png` });
    expect(new URL(r.json.url).pathname).toBe(`/${SPACE}a%20b%2Bc/%C3%BC%281%29.png`);
  });

  test("no checksum parameters in the URL (real S3 would answer BadDigest to a browser PUT)", async () => {
    const r = await call(load(), { file: "x.bin", mode: "upload", size: "10" });
    const names = [...new URL(r.json.url).searchParams.keys()].map((n) => n.toLowerCase());
    expect(names.filter((n) => n.startsWith("x-amz-checksum") || n === "x-amz-sdk-checksum-algorithm")).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(["x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"]));
  });

  test("a quoted-string parameter of visible ASCII (with a quoted pair) is accepted and signed as given", async () => {
    const type = 'text/plain; name="a \\"quoted\\" name"';
    const r = await call(load(), { file: "x.txt", mode: "upload", size: "10", contentType: type });
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body).headers).toEqual({ "Content-Type": type });
  });

  test("uploads sign Content-Length: the size is in the signed headers, empty files allowed, over the limit is a 413", async () => {
    const r = await call(load(), { file: "x.bin", mode: "upload", size: "0" });
    expect(r.statusCode).toBe(200);
    const body = JSON.parse(r.body);
    expect(new URL(body.url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
    expect(body.size).toBe(0);
    expect(body.headers).toEqual({}); // clients set Content-Length from the body themselves
    const tooLarge = await call(load(), { file: "x.bin", mode: "upload", size: "1001" });
    expect(tooLarge.statusCode).toBe(413);
    expect(JSON.parse(tooLarge.body).code).toBe("TooLarge");
  });

  test("a given contentType is signed and returned as a header the client must send", async () => {
    const r = await call(load(), { file: "x.png", mode: "upload", size: "10", contentType: "image/png" });
    expect(new URL(r.json.url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    expect(r.json.headers).toEqual({ "Content-Type": "image/png" });
  });

  test("expiry from URL_EXPIRES_SECONDS, capped at seven days; expiresAt matches", async () => {
    const r = await call(load({ URL_EXPIRES_SECONDS: "900" }), { file: "k" });
    expect(r.json.expiresIn).toBe(900);
    const delta = Date.parse(r.json.expiresAt) - Date.now();
    expect(delta).toBeGreaterThan(890_000);
    expect(delta).toBeLessThanOrEqual(900_000);
    const capped = await call(load({ URL_EXPIRES_SECONDS: "9999999" }), { file: "k" });
    expect(capped.json.expiresIn).toBe(604800);
    expect(new URL(capped.json.url).searchParams.get("X-Amz-Expires")).toBe("604800");
  });

  test("session credentials (the Lambda case) travel as X-Amz-Security-Token", async () => {
    const r = await call(load({ AWS_SESSION_TOKEN: "session-token" }), { file: "k" });
    expect(new URL(r.json.url).searchParams.get("X-Amz-Security-Token")).toBe("session-token");
  });

  test("a local endpoint override gives path-style URLs", async () => {
    const r = await call(load({ AWS_ENDPOINT_URL_S3: "http://127.0.0.1:4569" }), { file: "a/b.txt", mode: "upload", size: "10" });
    expect(r.json.url.startsWith(`http://127.0.0.1:4569/ddn-dev-in/${SPACE}a/b.txt?`)).toBe(true);
  });

  test("key spaces: the principal's own prefix; the shared space without an authorizer; no principal is a fault", async () => {
    const other = await load()(apiEvent({ queryStringParameters: { file: "k" }, requestContext: { authorizer: { principalId: "auth0|123" } } as any }));
    expect(JSON.parse(other.body).key).toBe(`${principalPrefix("auth0|123")}k`);
    expect(JSON.parse((await call(load({ KEY_SPACES: "shared" }), { file: "k" })).body).key).toBe("shared/k");
    for (const requestContext of [{}, { authorizer: null }, { authorizer: { principalId: "" } }, { authorizer: { principalId: 7 } }]) {
      const res = await load()(apiEvent({ queryStringParameters: { file: "k" }, requestContext: requestContext as any }));
      expect(res.statusCode).toBe(500);
    }
    expect((await call(load({ KEY_SPACES: undefined }), { file: "k" })).statusCode).toBe(500);
  });

  test("CORS: an allowed origin is echoed, others get the first allowed origin", async () => {
    const h = load();
    expect((await call(h, { file: "k" }, { origin: "https://app.example.com" })).headers!["Access-Control-Allow-Origin"]).toBe("https://app.example.com");
    expect((await call(h, { file: "k" }, { Origin: "https://evil.example" })).headers!["Access-Control-Allow-Origin"]).toBe("http://localhost:3000");
  });
});

describe("presign: bad input is a 400 with a code and a message", () => {
  const cases: Array<[string, Record<string, unknown> | null, string]> = [
    ["missing queryStringParameters", null, "MissingFile"],
    ["missing file", { mode: "upload", size: "1" }, "MissingFile"],
    ["an upload without its size", { file: "k", mode: "upload" }, "MissingSize"],
    ["a size that is not a whole number", { file: "k", mode: "upload", size: "1.5" }, "InvalidSize"],
    ["a negative size", { file: "k", mode: "upload", size: "-1" }, "InvalidSize"],
    ["a size on a download", { file: "k", size: "1" }, "InvalidSize"],
    ["empty file", { file: "" }, "InvalidKey"],
    ["invalid mode", { file: "k", mode: "delete" }, "InvalidMode"],
    ["key over 1024 bytes", { file: "é".repeat(513) }, "InvalidKey"],
    ["control character", { file: "a\u0007b" }, "InvalidKey"],
    ["leading slash", { file: "/etc/passwd" }, "InvalidKey"],
    ["dot-dot segment", { file: "a/../b" }, "InvalidKey"],
    ["dot segment", { file: "./a" }, "InvalidKey"],
    ["empty segment", { file: "a//b" }, "InvalidKey"],
    ["trailing slash", { file: "a/" }, "InvalidKey"],
    ["non-string file", { file: ["a", "b"] }, "InvalidKey"],
    ["numeric file", { file: 42 }, "InvalidKey"],
    ["lone surrogate", { file: "a\ud800" }, "InvalidKey"],
    ["bad content type", { file: "k", mode: "upload", size: "10", contentType: "image" }, "InvalidContentType"],
    ["content type with CRLF", { file: "k", mode: "upload", size: "10", contentType: "text/plain\r\nx-amz-acl: public-read" }, "InvalidContentType"],
    ["content type on a download", { file: "k", contentType: "image/png" }, "InvalidContentType"],
    ["a quoted parameter beyond Latin-1 (no client can send it)", { file: "k", mode: "upload", size: "10", contentType: 'text/plain; name="ü✓"' }, "InvalidContentType"],
    ["a quoted parameter with obs-text", { file: "k", mode: "upload", size: "10", contentType: 'text/plain; name="é"' }, "InvalidContentType"],
  ];
  test.each(cases)("%s", async (_name, query, code) => {
    const r = await call(load(), query);
    expect(r.statusCode).toBe(400);
    expect(r.json).toEqual({ code, message: expect.any(String) });
    expect(r.headers!["Access-Control-Allow-Origin"]).toBeDefined();
  });

  test("exactly 1024 bytes is accepted", async () => {
    expect((await call(load(), { file: "a".repeat(1024 - SPACE.length) })).statusCode).toBe(200);
  });

  test("the content-type allow-list applies to the bare type/subtype", async () => {
    const h = load({ ALLOWED_CONTENT_TYPES: "image/png,application/pdf" });
    expect((await call(h, { file: "k", mode: "upload", size: "10", contentType: "image/PNG" })).statusCode).toBe(200);
    expect((await call(h, { file: "k", mode: "upload", size: "10", contentType: "text/plain; charset=utf-8" })).statusCode).toBe(400);
  });

  test.each([undefined, null, 42, "event", [], { headers: 7, queryStringParameters: "file=k" }])("hostile event %p", async (event) => {
    const res = await load()(event as any);
    expect([400]).toContain(res.statusCode);
    expect(JSON.parse(res.body)).toHaveProperty("code");
  });
});

describe("presign: faults are a 500 that hides the cause", () => {
  test("no credentials", async () => {
    const r = await call(load({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }), { file: "k" });
    expect(r.statusCode).toBe(500);
    expect(r.json).toEqual({ code: "InternalError", message: expect.not.stringMatching(/credential|AWS_/i) });
  });

  test("missing bucket configuration", async () => {
    const r = await call(load({ OUT_BUCKET: undefined }), { file: "k" });
    expect(r.statusCode).toBe(500);
    expect(r.json.code).toBe("InternalError");
  });
});

describe("presign: property-based, hostile events", () => {
  let handler: Handler;
  beforeAll(() => (handler = load()));
  const anyValue = fc.oneof(fc.string(), binaryString(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.array(fc.string()), fc.object());
  const query = fc.oneof(
    fc.constant(null),
    fc.record({ file: anyValue, mode: fc.oneof(anyValue, fc.constantFrom("upload", "download")), contentType: anyValue }, { requiredKeys: [] }),
    fc.dictionary(fc.string(), anyValue),
  );

  test("always a well-formed JSON response, never a throw or a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.oneof(fc.constant(undefined), fc.dictionary(fc.string(), fc.string())), async (q, headers) => {
        const res = await handler({ ...apiEvent(), queryStringParameters: q as any, headers: headers as any });
        expect([200, 400]).toContain(res.statusCode);
        const body = JSON.parse(res.body);
        if (res.statusCode === 200) expect(typeof body.url).toBe("string");
        else expect(body).toEqual({ code: expect.any(String), message: expect.any(String) });
      }),
      { numRuns: 400 },
    );
  });

  test("any valid key presigns to a URL whose path decodes back to the key", async () => {
    const segment = binaryString({ minLength: 1, maxLength: 20 }).filter((s) => s !== "." && s !== ".." && !s.includes("/") && !/[\u0000-\u001f\u007f-\u009f]/.test(s) && s.isWellFormed());
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }), async (segments) => {
        const key = segments.join("/");
        fc.pre(Buffer.byteLength(key) <= 1024);
        const res = await handler(apiEvent({ queryStringParameters: { file: key } }));
        expect(res.statusCode).toBe(200);
        const url = new URL(JSON.parse(res.body).url);
        expect(decodeURIComponent(url.pathname.slice(1))).toBe(SPACE + key);
      }),
      { numRuns: 200 },
    );
  });
});
