import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, S3Client, UploadPartCommand } from "@aws-sdk/client-s3";
import { resetClients } from "../../functions/lib/clients";
import { principalPrefix } from "../../functions/lib/key-space";
import { MIN_PART_BYTES } from "../../functions/uploads/part-plan";
import { UPLOAD_ROUTES, type UploadRoute } from "../../functions/uploads/routes";
import { startLocalAws, type LocalAws } from "../../local/aws-servers";
import { LOCAL_CREDENTIALS } from "../../local/local-iam";
import { apiEvent } from "../functions/events";

// The Companion-compatible upload routes against a real S3 stand-in (s3rver, SigV4-verifying, with S3's multipart
// rules in front of it): two principals, each confined to their own key space.
const IN = "ddn-test-uploads";
const MAX = 64 * 1024 ** 2;

let aws: LocalAws;
let s3: S3Client;
let uploads: typeof import("../../functions/uploads/index").handler;
let presign: typeof import("../../functions/presign/index").handler;

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [IN, "ddn-test-uploads-out"] });
  Object.assign(process.env, aws.env, { IN_BUCKET: IN, OUT_BUCKET: "ddn-test-uploads-out", ALLOWED_ORIGINS: "http://localhost:3000", MAX_UPLOAD_BYTES: String(MAX), KEY_SPACES: "private" });
  resetClients();
  jest.resetModules();
  uploads = require("../../functions/uploads/index").handler;
  presign = require("../../functions/presign/index").handler;
  s3 = new S3Client({ endpoint: aws.s3Endpoint, forcePathStyle: true, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
});
afterAll(async () => {
  s3.destroy();
  resetClients();
  await aws.stop();
});

interface Answer {
  status: number;
  body: any;
}

/** One call of a route as `principal`, shaped as API Gateway's proxy event. */
async function call(principal: string, route: UploadRoute, opts: { query?: Record<string, string>; path?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const r = UPLOAD_ROUTES[route];
  const res = await uploads(
    apiEvent({
      resource: r.path,
      httpMethod: r.method,
      queryStringParameters: opts.query ?? null,
      pathParameters: opts.path ?? null,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      requestContext: { authorizer: { principalId: principal } } as any,
    }),
  );
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

const bytes = (n: number, seed: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7 + (i >> 10)) & 0xff;
  return b;
};

async function multipart(principal: string, filename: string, data: Buffer) {
  const created = await call(principal, "create", { body: { filename, type: "application/octet-stream", metadata: { name: filename, size: String(data.length) } } });
  expect(created.status).toBe(200);
  return created.body as { key: string; uploadId: string; partSize: number; partCount: number };
}

async function putPart(principal: string, up: { key: string; uploadId: string }, n: number, data: Buffer): Promise<{ status: number; etag: string | null }> {
  const signed = await call(principal, "signPart", { path: { uploadId: up.uploadId, partNumber: String(n) }, query: { key: up.key } });
  expect(signed.status).toBe(200);
  const res = await fetch(signed.body.url, { method: "PUT", body: data });
  return { status: res.status, etag: res.headers.get("etag") };
}

const slice = (data: Buffer, partSize: number, n: number) => data.subarray((n - 1) * partSize, n * partSize);

test("a multipart upload of 7 parts: parts signed for their exact size, listed for resume, completed byte-identical", async () => {
  const data = bytes(6 * MIN_PART_BYTES + 12345, 1);
  const up = await multipart("alice", "videos/big ü.bin", data);
  expect(up.key).toBe(`${principalPrefix("alice")}videos/big ü.bin`);
  expect(up).toMatchObject({ partSize: MIN_PART_BYTES, partCount: 7 });

  // A body of another length than the part's is refused by S3 itself (Content-Length is signed).
  const signed1 = await call("alice", "signPart", { path: { uploadId: up.uploadId, partNumber: "1" }, query: { key: up.key } });
  expect(new URL(signed1.body.url).searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host");
  expect((await fetch(signed1.body.url, { method: "PUT", body: slice(data, up.partSize, 1).subarray(1) })).status).toBe(403);

  const etags: string[] = [];
  for (const n of [1, 2, 3]) {
    const r = await putPart("alice", up, n, slice(data, up.partSize, n));
    expect(r.status).toBe(200);
    etags[n - 1] = r.etag!;
  }
  // Resume: the stored parts, as Companion lists them.
  const listed = await call("alice", "list", { path: { uploadId: up.uploadId }, query: { key: up.key } });
  expect(listed.status).toBe(200);
  expect(listed.body.map((p: { PartNumber: number; Size: number }) => [p.PartNumber, p.Size])).toEqual([[1, MIN_PART_BYTES], [2, MIN_PART_BYTES], [3, MIN_PART_BYTES]]);

  // The rest through one batch of URLs; the last part is signed for the remainder.
  const batch = await call("alice", "signBatch", { path: { uploadId: up.uploadId }, query: { key: up.key, partNumbers: "4,5,6,7" } });
  expect(batch.status).toBe(200);
  for (const n of [4, 5, 6, 7]) {
    const res = await fetch(batch.body.presignedUrls[String(n)], { method: "PUT", body: slice(data, up.partSize, n) });
    expect(res.status).toBe(200);
    etags[n - 1] = res.headers.get("etag")!;
  }
  expect((await call("alice", "signPart", { path: { uploadId: up.uploadId, partNumber: "8" }, query: { key: up.key } })).body.code).toBe("InvalidPartNumber");

  const done = await call("alice", "complete", { path: { uploadId: up.uploadId }, query: { key: up.key }, body: { parts: etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) } });
  expect(done.status).toBe(200);
  expect(done.body).toMatchObject({ key: up.key, bucket: IN, size: data.length });
  expect(done.body.etag).toMatch(/^[0-9a-f]{32}-7$/); // S3's multipart ETag
  const got = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: IN, Key: up.key }))).Body!.transformToByteArray());
  expect(got.equals(data)).toBe(true);
  expect((await s3.send(new HeadObjectCommand({ Bucket: IN, Key: up.key }))).ETag).toBe(`"${done.body.etag}"`);
  // Finished: the upload no longer exists.
  expect((await call("alice", "list", { path: { uploadId: up.uploadId }, query: { key: up.key } })).status).toBe(404);
}, 60_000);

test("GET /s3/params: a single PUT signed for the declared size (Uppy's metadata[size]) inside the caller's space", async () => {
  const r = await call("alice", "params", { query: { filename: "notes.txt", type: "text/plain", "metadata[name]": "notes.txt", "metadata[size]": "5" } });
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ method: "PUT", key: `${principalPrefix("alice")}notes.txt`, headers: { "content-type": "text/plain" }, fields: { key: `${principalPrefix("alice")}notes.txt` } });
  expect((await fetch(r.body.url, { method: "PUT", body: "12345", headers: r.body.headers })).status).toBe(200);
  const other = await call("alice", "params", { query: { filename: "x", "metadata[size]": "6" } });
  expect((await fetch(other.body.url, { method: "PUT", body: "12345" })).status).toBe(403);
  expect((await call("alice", "params", { query: { filename: "x" } })).body.code).toBe("MissingSize");
  expect((await call("alice", "params", { query: { filename: "x", "metadata[size]": String(MAX + 1) } })).status).toBe(413);
});

describe("multipart input checks", () => {
  test.each([
    ["no size", { filename: "a.bin" }, 400, "MissingSize"],
    ["size above the limit", { filename: "a.bin", metadata: { size: MAX + 1 } }, 413, "TooLarge"],
    ["empty file", { filename: "a.bin", size: 0 }, 400, "InvalidSize"],
    ["a fractional size", { filename: "a.bin", size: 1.5 }, 400, "InvalidSize"],
    ["a path trick", { filename: "../x", size: 10 }, 400, "InvalidKey"],
    ["a type no client can send", { filename: "a.bin", size: 10, type: "text/plain; a=\"ü\"" }, 400, "InvalidContentType"],
  ])("create: %s", async (_n, body, status, code) => {
    const r = await call("alice", "create", { body });
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
  });

  test("create: a body that is not JSON", async () => {
    const res = await uploads(apiEvent({ resource: "/s3/multipart", httpMethod: "POST", body: "filename=x", requestContext: { authorizer: { principalId: "alice" } } as any }));
    expect(res.statusCode).toBe(400);
  });

  test("complete: every part, in order, each the size it was signed for", async () => {
    const data = bytes(MIN_PART_BYTES + 10, 2);
    const up = await multipart("alice", "two.bin", data);
    const p1 = await putPart("alice", up, 1, slice(data, up.partSize, 1));
    const p2 = await putPart("alice", up, 2, slice(data, up.partSize, 2));
    const q = { path: { uploadId: up.uploadId }, query: { key: up.key } };
    expect((await call("alice", "complete", { ...q, body: { parts: [{ PartNumber: 1, ETag: p1.etag }] } })).body.code).toBe("InvalidParts");
    expect((await call("alice", "complete", { ...q, body: { parts: [{ PartNumber: 2, ETag: p2.etag }, { PartNumber: 1, ETag: p1.etag }] } })).body.code).toBe("InvalidParts");
    expect((await call("alice", "complete", { ...q, body: { parts: [{ PartNumber: 1, ETag: p1.etag }, { PartNumber: 2, ETag: '"00000000000000000000000000000000"' }] } })).body.code).toBe("InvalidPart");
    // A handle whose declared size was edited: its plan no longer matches the stored parts.
    const edited = up.uploadId.replace(/^\d+/, String(data.length + 1));
    const r = await call("alice", "complete", { path: { uploadId: edited }, query: { key: up.key }, body: { parts: [{ PartNumber: 1, ETag: p1.etag }, { PartNumber: 2, ETag: p2.etag }] } });
    expect(r.body.code).toBe("InvalidPart");
    expect((await call("alice", "complete", { ...q, body: { parts: [{ PartNumber: 1, ETag: p1.etag }, { PartNumber: 2, ETag: p2.etag }] } })).status).toBe(200);
  });

  test("abort: the upload is gone; its parts cannot be listed or completed", async () => {
    const up = await multipart("alice", "aborted.bin", bytes(MIN_PART_BYTES + 1, 3));
    const q = { path: { uploadId: up.uploadId }, query: { key: up.key } };
    expect((await call("alice", "abort", q)).body).toEqual({});
    expect((await call("alice", "list", q)).status).toBe(404);
    expect((await call("alice", "abort", q)).status).toBe(404);
  });
});

describe("two principals: nothing of alice's is reachable by bob", () => {
  const secret = Buffer.from("alice's secret\n");
  let alice: { key: string; uploadId: string; partSize: number; partCount: number };
  let data: Buffer;

  beforeAll(async () => {
    data = bytes(MIN_PART_BYTES + 100, 4);
    alice = await multipart("alice", "private/report.pdf", data);
    const r = await call("alice", "params", { query: { filename: "diary.txt", "metadata[size]": String(secret.length) } });
    expect((await fetch(r.body.url, { method: "PUT", body: secret })).status).toBe(200);
  });

  const answers404 = (a: Answer) => {
    expect(a.status).toBe(404);
    expect(a.body).toEqual({ code: "NoSuchUpload", message: "No such upload" });
  };

  test("alice's key with alice's upload id: every multipart route answers as for an upload that does not exist", async () => {
    const q = { path: { uploadId: alice.uploadId }, query: { key: alice.key } };
    answers404(await call("bob", "list", q));
    answers404(await call("bob", "abort", q));
    answers404(await call("bob", "signPart", { path: { ...q.path, partNumber: "1" }, query: q.query }));
    answers404(await call("bob", "signBatch", { path: q.path, query: { ...q.query, partNumbers: "1" } }));
    answers404(await call("bob", "complete", { ...q, body: { parts: [{ PartNumber: 1, ETag: "x" }, { PartNumber: 2, ETag: "y" }] } }));
    // ... exactly as an id that never existed:
    answers404(await call("bob", "list", { path: { uploadId: "10.0123456789abcdef0123456789abcdef" }, query: { key: `${principalPrefix("bob")}x` } }));
  });

  test.each([
    ["a dot-dot path", (k: string) => `${principalPrefix("bob")}../${k.slice("private/".length)}`],
    ["percent-encoding", (k: string) => encodeURIComponent(k)],
    ["a leading slash", (k: string) => `/${k}`],
    ["bob's prefix without its slash", (k: string) => `${principalPrefix("bob").slice(0, -1)}${k}`],
  ])("alice's key disguised as %s is not bob's", async (_n, disguise) => {
    answers404(await call("bob", "list", { path: { uploadId: alice.uploadId }, query: { key: disguise(alice.key) } }));
  });

  test("alice's upload id with bob's own key: S3 binds the id to alice's key, so the part is refused", async () => {
    const bobKey = `${principalPrefix("bob")}private/report.pdf`;
    const signed = await call("bob", "signPart", { path: { uploadId: alice.uploadId, partNumber: "1" }, query: { key: bobKey } });
    expect(signed.status).toBe(200); // signing needs no S3 call; S3 decides
    const put = await fetch(signed.body.url, { method: "PUT", body: slice(data, alice.partSize, 1) });
    expect(put.status).toBe(404);
    expect(await put.text()).toContain("NoSuchUpload");
    answers404(await call("bob", "list", { path: { uploadId: alice.uploadId }, query: { key: bobKey } }));
    answers404(await call("bob", "abort", { path: { uploadId: alice.uploadId }, query: { key: bobKey } }));
    // alice's upload is untouched
    expect((await call("alice", "list", { path: { uploadId: alice.uploadId }, query: { key: alice.key } })).body).toEqual([]);
  });

  test("file names: alice's full key, path tricks and encodings all land in bob's own space", async () => {
    for (const filename of [`${principalPrefix("alice")}diary.txt`, "diary.txt", "%2e%2e/diary.txt", "a/%2F/../diary.txt"]) {
      const r = await call("bob", "params", { query: { filename, "metadata[size]": "1" } });
      if (r.status === 200) expect(r.body.key.startsWith(principalPrefix("bob"))).toBe(true);
      else expect(r.body.code).toBe("InvalidKey");
    }
    for (const filename of ["../diary.txt", "/diary.txt", "./diary.txt", "a//b"]) {
      expect((await call("bob", "params", { query: { filename, "metadata[size]": "1" } })).body.code).toBe("InvalidKey");
    }
  });

  test("downloads: bob's URL for alice's file names bob's space, so S3 has nothing there", async () => {
    const res = await presign(apiEvent({ queryStringParameters: { file: `${principalPrefix("alice")}diary.txt` }, requestContext: { authorizer: { principalId: "bob" } } as any }));
    const { key } = JSON.parse(res.body);
    expect(key).toBe(`${principalPrefix("bob")}${principalPrefix("alice")}diary.txt`);
  });
});

describe("the S3 stand-in refuses what S3 refuses", () => {
  test("a part under another key than its upload's, and a non-last part below 5 MiB", async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: IN, Key: "standin/a" }));
    await expect(s3.send(new UploadPartCommand({ Bucket: IN, Key: "standin/b", UploadId, PartNumber: 1, Body: "x" }))).rejects.toMatchObject({ name: "NoSuchUpload" });
    await expect(s3.send(new UploadPartCommand({ Bucket: IN, Key: "standin/a", UploadId, PartNumber: 10001, Body: "x" }))).rejects.toMatchObject({ name: "InvalidArgument" });
    const p1 = await s3.send(new UploadPartCommand({ Bucket: IN, Key: "standin/a", UploadId, PartNumber: 1, Body: "small" }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: IN, Key: "standin/a", UploadId, PartNumber: 2, Body: "last" }));
    const complete = (Parts: Array<{ PartNumber: number; ETag?: string }>, Key = "standin/a") => s3.send(new CompleteMultipartUploadCommand({ Bucket: IN, Key, UploadId, MultipartUpload: { Parts } }));
    await expect(complete([{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }], "standin/b")).rejects.toMatchObject({ name: "NoSuchUpload" });
    await expect(complete([{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 1, ETag: p1.ETag }])).rejects.toMatchObject({ name: "InvalidPartOrder" });
    await expect(complete([{ PartNumber: 1, ETag: p2.ETag }])).rejects.toMatchObject({ name: "InvalidPart" });
    await expect(complete([{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }])).rejects.toMatchObject({ name: "EntityTooSmall" });
    // One part (the last may be small): completes.
    expect((await complete([{ PartNumber: 2, ETag: p2.ETag }])).ETag).toMatch(/-1"$/);
  });
});
