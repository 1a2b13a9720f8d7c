import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { DynamoDBClient, GetItemCommand, PutItemCommand, ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { copyObject } from "../../functions/process/copy";
import { handler } from "../../functions/process/index";
import { decodeEventKey } from "../../functions/lib/s3-event";
import { sortableSequencer } from "../../functions/process/sequencer";
import { s3Record } from "./events";

const s3 = mockClient(S3Client);
const db = mockClient(DynamoDBClient);

beforeEach(() => {
  s3.reset();
  db.reset();
  process.env.OUT_BUCKET = "out-bucket";
  process.env.TABLE_NAME = "files";
  s3.on(HeadObjectCommand).resolves({ ContentLength: 11, ContentType: "image/png", ETag: '"etag"' });
  s3.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: '"etag"' } });
  db.on(GetItemCommand).resolves({});
  db.on(PutItemCommand).resolves({});
});

describe("event keys", () => {
  test.each([
    ["a+b%2Bc.png", "a b+c.png"],
    ["dir/%C3%BC+%E2%9C%93.txt", "dir/ü ✓.txt"],
    ["100%25.txt", "100%.txt"],
    ["plain.txt", "plain.txt"],
  ])("%s decodes to %s", (raw, key) => expect(decodeEventKey(raw)).toBe(key));
});

describe("sequencers", () => {
  test("right-padded so that string order is event order", () => {
    expect(sortableSequencer("0055AED6DCD90281E5") < sortableSequencer("0055AED6DCD90281E6")).toBe(true);
    // Different lengths: right-pad, then compare (AWS's rule).
    expect(sortableSequencer("0055AED6DCD90281E5") < sortableSequencer("0055AED6DCD90281E500")).toBe(false);
    expect(sortableSequencer("0055AED6DCD90281E5") < sortableSequencer("0055AED6DCD90281E501")).toBe(true);
    expect(() => sortableSequencer("not-hex")).toThrow("invalid sequencer");
  });
});

describe("process handler", () => {
  test("copies server-side under the decoded key and records the metadata", async () => {
    const out = await handler({ Records: [s3Record("a b+c/ü.png", { versionId: "v1" })] } as any);
    expect(out).toEqual({ processed: 1, skipped: 0, ignored: 0 });
    const copy = s3.commandCalls(CopyObjectCommand)[0]!.args[0].input;
    expect(copy).toMatchObject({ Bucket: "out-bucket", Key: "a b+c/ü.png", CopySource: "in-bucket/a%20b%2Bc/%C3%BC.png?versionId=v1" });
    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: "in-bucket", Key: "a b+c/ü.png", VersionId: "v1" });
    const put = db.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put.TableName).toBe("files");
    expect(put.ConditionExpression).toBe("attribute_not_exists(#k) OR #s < :s");
    expect(put.Item).toMatchObject({
      key: { S: "a b+c/ü.png" },
      size: { N: "11" },
      etag: { S: "etag" },
      contentType: { S: "image/png" },
      versionId: { S: "v1" },
      sequencer: { S: "0055AED6DCD90281E5" },
      uploadedAt: { S: "2026-11-21T10:00:00.000Z" },
      status: { S: "PROCESSED" },
    });
  });

  test("a duplicate or older event (stored sequencer >= event's) copies nothing", async () => {
    db.on(GetItemCommand).resolves({ Item: { sequencerSort: { S: sortableSequencer("0055AED6DCD90281E5") } } });
    const out = await handler({ Records: [s3Record("k", { sequencer: "0055AED6DCD90281E5" }), s3Record("k", { sequencer: "0055AED6DCD90281E4" })] } as any);
    expect(out).toEqual({ processed: 0, skipped: 2, ignored: 0 });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(db.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  test("a newer event that lost the race to a concurrent write is skipped, not failed", async () => {
    db.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "no", $metadata: {} }));
    expect(await handler({ Records: [s3Record("k")] } as any)).toEqual({ processed: 0, skipped: 1, ignored: 0 });
  });

  test("s3:TestEvent and non-ObjectCreated records are ignored", async () => {
    expect(await handler({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "in-bucket" } as any)).toEqual({ processed: 0, skipped: 0, ignored: 1 });
    expect(await handler({ Records: [s3Record("k", { eventName: "ObjectRemoved:Delete" })] } as any)).toEqual({ processed: 0, skipped: 0, ignored: 1 });
    expect(s3.calls()).toHaveLength(0);
  });

  test("every record is attempted; one error names the failed keys afterwards", async () => {
    s3.on(CopyObjectCommand, { Key: "bad one.txt" }).rejects(new Error("AccessDenied"));
    const records = [s3Record("first.txt"), s3Record("bad one.txt"), s3Record("last.txt")];
    await expect(handler({ Records: records } as any)).rejects.toThrow('Failed to process 1 record(s): "bad one.txt" (Error: AccessDenied)');
    expect(db.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item!.key!.S)).toEqual(["first.txt", "last.txt"]);
  });

  test("a malformed record fails the invocation (so it reaches the failure destination)", async () => {
    await expect(handler({ Records: [{ eventName: "ObjectCreated:Put", s3: {} }] } as any)).rejects.toThrow("(unparseable record)");
  });
});

describe("large objects", () => {
  test("above the single-copy limit, UploadPartCopy in ranges, then complete", async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 25, ContentType: "video/mp4", Metadata: { a: "b" }, ETag: '"upload-etag-2"' });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: "u1" });
    s3.on(UploadPartCopyCommand).callsFake((input) => ({ CopyPartResult: { ETag: `"p${input.PartNumber}"` } }));
    s3.on(CompleteMultipartUploadCommand).resolves({ ETag: '"done-3"', VersionId: "ov" });
    const result = await copyObject(new S3Client({}), { bucket: "in", key: "big.mp4" }, "out", { singleCopyLimit: 10, partSize: 10 });
    // The record keeps the upload's ETag (what the client's PUT returned), not the multipart copy's.
    expect(result).toEqual({ size: 25, contentType: "video/mp4", etag: '"done-3"', sourceEtag: '"upload-etag-2"', outVersionId: "ov" });
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toMatchObject({ ContentType: "video/mp4", Metadata: { a: "b" } });
    const ranges = s3.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input.CopySourceRange).sort();
    expect(ranges).toEqual(["bytes=0-9", "bytes=10-19", "bytes=20-24"]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload!.Parts).toEqual([
      { ETag: '"p1"', PartNumber: 1 },
      { ETag: '"p2"', PartNumber: 2 },
      { ETag: '"p3"', PartNumber: 3 },
    ]);
  });

  test("a failed part aborts the multipart upload", async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 25 });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: "u1" });
    s3.on(UploadPartCopyCommand).rejects(new Error("SlowDown"));
    await expect(copyObject(new S3Client({}), { bucket: "in", key: "big" }, "out", { singleCopyLimit: 10, partSize: 10 })).rejects.toThrow("SlowDown");
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toMatchObject({ UploadId: "u1", Key: "big" });
  });

  test("the default limit is the 5 GiB CopyObject maximum", async () => {
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5 * 1024 ** 3 });
    await copyObject(new S3Client({}), { bucket: "in", key: "k" }, "out");
    expect(s3.commandCalls(CopyObjectCommand)).toHaveLength(1);
  });
});
