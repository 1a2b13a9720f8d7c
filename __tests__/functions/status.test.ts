import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand, NotFound, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { binaryString } from "./arbitraries";
import { handler } from "../../functions/status/index";
import { principalPrefix } from "../../functions/lib/key-space";
import { apiEvent, TEST_PRINCIPAL } from "./events";

/** The caller's key space: `/files/{key}` is relative to it; records and HeadObject use the full key. */
const SPACE = principalPrefix(TEST_PRINCIPAL);

const db = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const get = (key: unknown, query?: Record<string, string>) =>
  handler(apiEvent({ resource: "/files/{key+}", pathParameters: key === undefined ? null : ({ key } as any), queryStringParameters: query ?? null }));
const notFound = () => new NotFound({ message: "Not Found", $metadata: { httpStatusCode: 404 } });

beforeEach(() => {
  db.reset();
  s3.reset();
  s3.on(HeadObjectCommand).rejects(notFound()); // the upload expired after processing, unless a test says otherwise
  process.env.TABLE_NAME = "files";
  process.env.IN_BUCKET = "in";
  process.env.ALLOWED_ORIGINS = "http://localhost:3000";
  process.env.KEY_SPACES = "private";
});

const recordItem = (etag: string) => ({
  Item: { key: { S: `${SPACE}k` }, size: { N: "1" }, etag: { S: etag }, contentType: { S: "text/plain" }, sequencer: { S: "01" }, sequencerSort: { S: "01" }, uploadedAt: { S: "t" }, processedAt: { S: "t" }, status: { S: "PROCESSED" } },
});
const upload = (etag: string) => ({ ETag: `"${etag}"`, ContentLength: 5, LastModified: new Date("2026-11-22T00:00:00Z") });

describe("processing state", () => {
  test("an upload without a record is PENDING, with its ETag", async () => {
    db.on(GetItemCommand).resolves({});
    s3.on(HeadObjectCommand).resolves(upload("e2"));
    const res = await get("k");
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ key: `${SPACE}k`, status: "PENDING", etag: "e2", size: 5, uploadedAt: "2026-11-22T00:00:00.000Z" });
    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toEqual({ Bucket: "in", Key: `${SPACE}k` });
  });

  test("a newer upload than the record is PENDING; the record of the current upload is PROCESSED", async () => {
    db.on(GetItemCommand).resolves(recordItem("e1"));
    s3.on(HeadObjectCommand).resolves(upload("e2"));
    expect(JSON.parse((await get("k")).body).status).toBe("PENDING");
    s3.on(HeadObjectCommand).resolves(upload("e1"));
    expect(JSON.parse((await get("k")).body)).toMatchObject({ status: "PROCESSED", etag: "e1" });
  });

  test("?etag= asks about one upload: its record, its pending state, or 404 for an ETag never uploaded", async () => {
    db.on(GetItemCommand).resolves(recordItem("e1"));
    s3.on(HeadObjectCommand).resolves(upload("e2"));
    expect(JSON.parse((await get("k", { etag: "e1" })).body)).toMatchObject({ status: "PROCESSED", etag: "e1" });
    expect(JSON.parse((await get("k", { etag: '"e2"' })).body)).toMatchObject({ status: "PENDING", etag: "e2" });
    const none = await get("k", { etag: "e3" });
    expect(none.statusCode).toBe(404);
    expect((await get("k", { etag: "not an etag!" })).statusCode).toBe(400);
  });

  test("an S3 fault (not a 404) is a 500, not a wrong answer", async () => {
    db.on(GetItemCommand).resolves(recordItem("e1"));
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error("SlowDown"), { $metadata: { httpStatusCode: 503 } }));
    expect((await get("k")).statusCode).toBe(500);
  });
});

test("200 with the record (internal ordering field left out)", async () => {
  db.on(GetItemCommand).resolves({
    Item: {
      key: { S: `${SPACE}a b+c.png` },
      size: { N: "11" },
      etag: { S: "e" },
      contentType: { S: "image/png" },
      sequencer: { S: "00AB" },
      sequencerSort: { S: "00AB0000" },
      uploadedAt: { S: "2026-11-21T10:00:00.000Z" },
      processedAt: { S: "2026-11-21T10:00:01.000Z" },
      status: { S: "PROCESSED" },
    },
  });
  const res = await get("a%20b%2Bc.png");
  expect(res.statusCode).toBe(200);
  expect(JSON.parse(res.body)).toEqual({
    key: `${SPACE}a b+c.png`,
    size: 11,
    etag: "e",
    contentType: "image/png",
    sequencer: "00AB",
    uploadedAt: "2026-11-21T10:00:00.000Z",
    processedAt: "2026-11-21T10:00:01.000Z",
    status: "PROCESSED",
  });
  expect(db.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({ TableName: "files", Key: { key: { S: `${SPACE}a b+c.png` } } });
  expect(res.headers!["Access-Control-Allow-Origin"]).toBe("http://localhost:3000");
});

test("404 NotFound when absent", async () => {
  db.on(GetItemCommand).resolves({});
  const res = await get("missing.txt");
  expect(res.statusCode).toBe(404);
  expect(JSON.parse(res.body)).toEqual({ code: "NotFound", message: expect.any(String) });
});

test.each([
  ["no path parameters", undefined, "MissingKey"],
  ["dot-dot", "a/../b", "InvalidKey"],
  ["encoded control character", "a%07b", "InvalidKey"],
  ["leading slash", "%2Fetc", "InvalidKey"],
  ["too long", "a".repeat(1025), "InvalidKey"],
  ["too long with the space's prefix", "a".repeat(1025 - SPACE.length), "InvalidKey"],
  ["non-string", 7, "InvalidKey"],
])("400 for %s", async (_n, key, code) => {
  const res = await get(key);
  expect(res.statusCode).toBe(400);
  expect(JSON.parse(res.body).code).toBe(code);
  expect(db.calls()).toHaveLength(0);
  expect(s3.calls()).toHaveLength(0);
});

test("a DynamoDB fault is a 500 that hides the cause", async () => {
  db.on(GetItemCommand).rejects(new Error("ProvisionedThroughputExceeded: table files in account 123"));
  const res = await get("k");
  expect(res.statusCode).toBe(500);
  expect(res.body).not.toMatch(/123|Throughput/);
});

test("property: hostile events always get a well-formed 200/400/404, never a throw or 5xx", async () => {
  db.on(GetItemCommand).resolves({});
  const anyValue = fc.oneof(binaryString(), fc.integer(), fc.constant(null), fc.array(fc.string()), fc.object());
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.constant(null), fc.record({ key: anyValue }, { requiredKeys: [] }), anyValue), async (params) => {
      const res = await handler({ ...apiEvent(), pathParameters: params as any });
      expect([400, 404]).toContain(res.statusCode);
      expect(JSON.parse(res.body)).toEqual({ code: expect.any(String), message: expect.any(String) });
    }),
    { numRuns: 400 },
  );
  for (const event of [null, undefined, 3, "x", []]) expect((await handler(event as any)).statusCode).toBe(400);
});
