import { spawn } from "node:child_process";
import * as path from "node:path";
import { GetItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { principalPrefix } from "../../functions/lib/key-space";
import { LOCAL_CREDENTIALS } from "../../local/local-iam";
import type { LocalPipeline } from "../../local/pipeline";
import { parseFailureRecord } from "../../ops/failure-record";
import { scriptArgs } from "../app-command";
import { expected } from "../stacks/synth";
import { localDevPipeline } from "./local-dev";

// Nothing lost, nothing processed twice: with `npm run local`'s pipeline, the out-bucket refuses writes under one
// prefix (an injected fault, as a bucket policy Deny would), a batch is uploaded, every failed event lands in the
// failure queue with its error, the fault is lifted, `npm run redrive` replays them, and every file is processed
// exactly once with the queue empty.
const ROOT = path.resolve(__dirname, "../..");
const { config, names } = expected("dev");
const USER = "fault-user";
const SPACE = principalPrefix(USER);
const QUEUE = names.failureQueue("process");
const FILES = ["ok/a.txt", "ok/b c.txt", "broken/1.txt", "broken/2 ü.txt", "broken/3+x.txt", "ok/c.txt"];
const body = (f: string) => `bytes of ${f}\n`;

const local = localDevPipeline();
let p: LocalPipeline;
beforeAll(() => (p = local.pipeline()));

/** `npm run redrive` as an operator runs it, against this pipeline (asynchronously: its servers live in this process). */
function redriveCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, scriptArgs(ROOT, "redrive", ["--env", "dev", ...args]), { cwd: ROOT, env: { ...process.env, ...p.redriveEnv } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

test("failed events wait in the queue with their error; a redrive processes each exactly once and empties it", async () => {
  const outBucket = `${names.prefix}-out-000000000000-${config.region}`;
  const lift = p.aws.refuseWrites(outBucket, `${SPACE}broken/`);
  const token = await p.issueToken({ sub: USER });
  const headers = { Authorization: `Bearer ${token}` };
  for (const f of FILES) {
    const up = (await (await fetch(`${p.apiUrl}/presign?${new URLSearchParams({ mode: "upload", file: f, size: String(Buffer.byteLength(body(f))) })}`, { headers })).json()) as { url: string };
    expect((await fetch(up.url, { method: "PUT", body: body(f) })).status).toBe(200);
  }
  await p.notifications.idle();

  // Every failed event, and only those, is in the queue: with the S3 error and every attempt made.
  const failed = p.sqs.messages(QUEUE).map((m) => parseFailureRecord(m.body));
  expect(failed.flatMap((f) => f.keys).sort()).toEqual(FILES.filter((f) => f.startsWith("broken/")).map((f) => SPACE + f).sort());
  // The original events, as S3 sent them: from the buckets' region.
  for (const m of p.sqs.messages(QUEUE)) expect(JSON.parse(m.body).requestPayload.Records[0].awsRegion).toBe(config.region);
  for (const f of failed) {
    expect(f.error).toMatch(/AccessDenied|Access Denied/);
    expect(f.attempts).toBe(config.eventDelivery.maxRetryAttempts + 1);
  }

  // The operator's clients sign for the environment's region, as in AWS (another region's signature is refused).
  const db = new DynamoDBClient({ endpoint: p.aws.dynamodbEndpoint, region: config.region, credentials: LOCAL_CREDENTIALS });
  const s3 = new S3Client({ endpoint: p.aws.s3Endpoint, forcePathStyle: true, region: config.region, credentials: LOCAL_CREDENTIALS });
  const record = async (f: string) => (await db.send(new GetItemCommand({ TableName: names.table, Key: { key: { S: SPACE + f } } }))).Item;
  const before = new Map<string, string | undefined>();
  for (const f of FILES) before.set(f, (await record(f))?.processedAt?.S);
  expect(FILES.filter((f) => before.get(f) === undefined)).toEqual(FILES.filter((f) => f.startsWith("broken/")));

  // A dry run lists and leaves everything; with the fault still there, a redrive fails and keeps the messages.
  const dry = await redriveCli(["--dry-run"]);
  expect(dry.status).toBe(0);
  expect(dry.stdout).toContain(`${QUEUE}: 3 message(s) waiting (dry run: nothing replayed or deleted)`);
  expect(dry.stdout).toMatch(/3 attempt\(s\), failed \d+s ago: .*AccessDenied/);
  expect(p.sqs.messages(QUEUE)).toHaveLength(3);

  lift();
  const run = await redriveCli([]);
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
  expect(run.stdout).toContain(`${QUEUE}: 3 replayed and deleted, 0 failed`);
  // Each replay processed its object (not skipped as stale or duplicate).
  expect(run.stdout.match(/replayed: \{"processed":1,"skipped":0,"ignored":0\}/g)).toHaveLength(3);
  expect(p.sqs.messages(QUEUE)).toEqual([]);

  // Every file processed, its bytes in the out-bucket; the ones that never failed were not processed again.
  for (const f of FILES) {
    const r = await record(f);
    expect(r?.status?.S).toBe("PROCESSED");
    if (!f.startsWith("broken/")) expect(r?.processedAt?.S).toBe(before.get(f));
    const got = await (await s3.send(new GetObjectCommand({ Bucket: outBucket, Key: SPACE + f }))).Body!.transformToString();
    expect(got).toBe(body(f));
  }
  // Nothing left to replay.
  const again = await redriveCli([]);
  expect(again.stdout).toContain(`${QUEUE}: 0 replayed and deleted, 0 failed`);
  db.destroy();
  s3.destroy();
}, 120_000);

test("the redrive command refuses bad arguments with its usage (exit 2)", async () => {
  for (const args of [["--limit", "0"], ["--env", "nope"], ["--function", "presign"], ["--what"]]) {
    const r = await redriveCli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^redrive: .*\nusage: npm run redrive/);
  }
}, 60_000);
