import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startLocalAws, type LocalAws } from "../../local/aws-servers";
import { LOCAL_CREDENTIALS } from "../../local/local-iam";
import { resetClients } from "../../functions/lib/clients";
import { principalPrefix } from "../../functions/lib/key-space";
import { apiEvent, s3Record, TEST_PRINCIPAL } from "../functions/events";

/** Handlers put the caller's files in its key space; S3 events and records carry the full key. */
const SPACE = principalPrefix(TEST_PRINCIPAL);

// Real servers on 127.0.0.1: s3rver verifies SigV4 (including presigned URLs), dynalite implements DynamoDB.
const IN = "ddn-test-in";
const OUT = "ddn-test-out";
const TABLE = "ddn-test-files";
const KEY = "uploads/a b+c ü ✓.txt";
const BYTES = Buffer.from("hello, pipeline — ünïcödé bytes\n");

let aws: LocalAws;
let presign: typeof import("../../functions/presign/index").handler;
let processFn: typeof import("../../functions/process/index").handler;
let status: typeof import("../../functions/status/index").handler;

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [IN, OUT], table: { name: TABLE, hashKey: "key" } });
  Object.assign(process.env, aws.env, { IN_BUCKET: IN, OUT_BUCKET: OUT, TABLE_NAME: TABLE, ALLOWED_ORIGINS: "http://localhost:3000", MAX_UPLOAD_BYTES: "1048576", KEY_SPACES: "private" });
  resetClients();
  jest.resetModules();
  presign = require("../../functions/presign/index").handler;
  processFn = require("../../functions/process/index").handler;
  status = require("../../functions/status/index").handler;
});
afterAll(async () => {
  resetClients();
  await aws.stop();
});

const presignUrl = async (query: Record<string, string>) => {
  const res = await presign(apiEvent({ queryStringParameters: query }));
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body) as { url: string; method: string; headers: Record<string, string> };
};

test("presigned PUT uploads real bytes; process copies them; status reports them; presigned GET downloads them", async () => {
  // 1. presign an upload and PUT the bytes with plain fetch, as a browser would
  const up = await presignUrl({ file: KEY, mode: "upload", contentType: "text/plain", size: String(BYTES.length) });
  const put = await fetch(up.url, { method: "PUT", body: BYTES, headers: up.headers });
  expect(put.status).toBe(200);

  // 2. deliver the event exactly as S3 encodes it (spaces as "+", "+" as %2B, UTF-8 percent-encoded)
  const record = s3Record(SPACE + KEY, { bucket: IN, size: BYTES.length, sequencer: "0062E99A88DC407460" });
  expect(record.s3.object.key).toBe(`${SPACE}uploads/a+b%2Bc+%C3%BC+%E2%9C%93.txt`);
  expect(await processFn({ Records: [record] } as any)).toEqual({ processed: 1, skipped: 0, ignored: 0 });

  // 3. the copy exists in the out-bucket under the decoded key, with its content type
  const s3 = new S3Client({ endpoint: aws.s3Endpoint, forcePathStyle: true, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  const head = await s3.send(new HeadObjectCommand({ Bucket: OUT, Key: SPACE + KEY }));
  expect(head.ContentLength).toBe(BYTES.length);
  expect(head.ContentType).toBe("text/plain");

  // 4. status returns the record (path parameter percent-encoded, as API Gateway passes it)
  const st = await status(apiEvent({ resource: "/files/{key+}", pathParameters: { key: encodeURIComponent(KEY).replace(/%2F/g, "/") } }));
  expect(st.statusCode).toBe(200);
  expect(JSON.parse(st.body)).toMatchObject({ key: SPACE + KEY, owner: TEST_PRINCIPAL, size: BYTES.length, contentType: "text/plain", status: "PROCESSED", sequencer: "0062E99A88DC407460" });

  // 5. a presigned GET downloads the same bytes from the out-bucket
  const down = await presignUrl({ file: KEY });
  expect(new URL(down.url).pathname.startsWith(`/${OUT}/`)).toBe(true);
  const got = await fetch(down.url);
  expect(got.status).toBe(200);
  expect(Buffer.from(await got.arrayBuffer())).toEqual(BYTES);
  s3.destroy();
});

test("a tampered presigned URL is refused", async () => {
  const up = await presignUrl({ file: "tamper.txt", mode: "upload", size: "1" });
  const url = new URL(up.url);
  url.pathname = url.pathname.replace("tamper.txt", "other.txt");
  expect((await fetch(url, { method: "PUT", body: "x" })).status).toBe(403);
  const sig = new URL(up.url);
  sig.searchParams.set("X-Amz-Signature", "0".repeat(64));
  expect((await fetch(sig, { method: "PUT", body: "x" })).status).toBe(403);
});

test("unsigned requests are refused, as by a private bucket with the public access block", async () => {
  expect((await fetch(`${aws.s3Endpoint}/${IN}/anonymous.txt`, { method: "PUT", body: "x" })).status).toBe(403);
  expect((await fetch(`${aws.s3Endpoint}/${OUT}/${encodeURIComponent("uploads/a b+c ü ✓.txt")}`)).status).toBe(403);
});

test("a signed content type must be sent as signed", async () => {
  const up = await presignUrl({ file: "typed.png", mode: "upload", contentType: "image/png", size: "1" });
  expect((await fetch(up.url, { method: "PUT", body: "x", headers: { "Content-Type": "text/html" } })).status).toBe(403);
  expect((await fetch(up.url, { method: "PUT", body: "x", headers: up.headers })).status).toBe(200);
});

test("S3 itself refuses a body of another size than the signed one", async () => {
  const up = await presignUrl({ file: "sized.bin", mode: "upload", size: "5" });
  expect((await fetch(up.url, { method: "PUT", body: "123456" })).status).toBe(403);
  expect((await fetch(up.url, { method: "PUT", body: "1234" })).status).toBe(403);
  expect((await fetch(up.url, { method: "PUT", body: "12345" })).status).toBe(200);
});

test("a duplicate event leaves one record and does not copy again; an older one changes nothing", async () => {
  const s3 = new S3Client({ endpoint: aws.s3Endpoint, forcePathStyle: true, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  const dup = `${SPACE}dup.txt`;
  await s3.send(new PutObjectCommand({ Bucket: IN, Key: dup, Body: "v2", ContentType: "text/plain" }));
  const newer = s3Record(dup, { bucket: IN, sequencer: "0062E99A88DC4074B0" });
  expect(await processFn({ Records: [newer, newer] } as any)).toEqual({ processed: 1, skipped: 1, ignored: 0 });
  const older = s3Record(dup, { bucket: IN, sequencer: "0062E99A88DC4074A0" });
  expect(await processFn({ Records: [older] } as any)).toEqual({ processed: 0, skipped: 1, ignored: 0 });
  const st = await status(apiEvent({ pathParameters: { key: "dup.txt" } }));
  expect(JSON.parse(st.body).sequencer).toBe("0062E99A88DC4074B0");
  const body = await (await s3.send(new GetObjectCommand({ Bucket: OUT, Key: dup }))).Body!.transformToString();
  expect(body).toBe("v2");
  s3.destroy();
});

test("multipart copy (the path for objects above 5 GiB) produces the same bytes on a real server", async () => {
  const { copyObject } = require("../../functions/process/copy") as typeof import("../../functions/process/copy");
  const s3 = new S3Client({ endpoint: aws.s3Endpoint, forcePathStyle: true, region: "us-east-1", credentials: LOCAL_CREDENTIALS, requestChecksumCalculation: "WHEN_REQUIRED" });
  const body = Buffer.alloc(12 * 1024 * 1024 + 123);
  for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE(i, i);
  const key = "big/multi part ü.bin";
  await s3.send(new PutObjectCommand({ Bucket: IN, Key: key, Body: body, ContentType: "application/x-test" }));
  const sent: string[] = [];
  s3.middlewareStack.add((next, context) => (args) => (sent.push(String(context.commandName)), next(args)), { step: "initialize" });
  // Lowered limits stand in for 5 GiB: 12 MiB in 5 MiB parts -> three UploadPartCopy requests.
  const result = await copyObject(s3, { bucket: IN, key }, OUT, { singleCopyLimit: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
  expect(result).toMatchObject({ size: body.length, contentType: "application/x-test" });
  expect(sent).toEqual(["HeadObjectCommand", "CreateMultipartUploadCommand", "UploadPartCopyCommand", "UploadPartCopyCommand", "UploadPartCopyCommand", "CompleteMultipartUploadCommand"]);
  const copied = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: OUT, Key: key }))).Body!.transformToByteArray());
  expect(copied.equals(body)).toBe(true);
  s3.destroy();
});

test("status: 404 for a key never processed", async () => {
  const st = await status(apiEvent({ pathParameters: { key: "never.txt" } }));
  expect(st.statusCode).toBe(404);
  expect(JSON.parse(st.body).code).toBe("NotFound");
});

test("status tells pending from processed, and an older upload's record from the current upload", async () => {
  const key = "state/re-uploaded.txt";
  const put = async (body: string) => {
    const up = await presignUrl({ file: key, mode: "upload", size: String(Buffer.byteLength(body)) });
    const res = await fetch(up.url, { method: "PUT", body });
    expect(res.status).toBe(200);
    return res.headers.get("etag")!.replace(/"/g, "");
  };
  const state = async (query?: Record<string, string>) => {
    const res = await status(apiEvent({ resource: "/files/{key+}", pathParameters: { key: encodeURIComponent(key).replace(/%2F/g, "/") }, queryStringParameters: query ?? null }));
    return { code: res.statusCode, body: JSON.parse(res.body) };
  };
  const processUpload = (sequencer: string, size: number) => processFn({ Records: [s3Record(SPACE + key, { bucket: IN, size, sequencer })] } as any);

  const first = await put("first");
  expect(await state()).toMatchObject({ code: 200, body: { status: "PENDING", etag: first } });
  await processUpload("0062E99A88DC500000", 5);
  expect(await state()).toMatchObject({ code: 200, body: { status: "PROCESSED", etag: first } });

  const second = await put("second!");
  expect(second).not.toBe(first);
  expect(await state()).toMatchObject({ code: 200, body: { status: "PENDING", etag: second } });
  expect(await state({ etag: first })).toMatchObject({ code: 200, body: { status: "PROCESSED", etag: first } });
  expect(await state({ etag: second })).toMatchObject({ code: 200, body: { status: "PENDING" } });
  await processUpload("0062E99A88DC600000", 7);
  expect(await state({ etag: second })).toMatchObject({ code: 200, body: { status: "PROCESSED", etag: second, size: 7 } });
  expect(await state({ etag: "0123456789abcdef0123456789abcdef" })).toMatchObject({ code: 404 });
});
