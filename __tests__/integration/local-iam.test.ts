import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { principalPrefix } from "../../functions/lib/key-space";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { PolicyStatement } from "../../constructs/policy-document";
import { LOCAL_CREDENTIALS } from "../../local/local-iam";
import { startLocalPipeline, type LocalPipeline } from "../../local/pipeline";
import { parseFailureRecord } from "../../ops/failure-record";
import { SynthesizedApp } from "../../synth/synthesized-app";
import { expected, synthEnv } from "../stacks/synth";

// Each function runs with its own role's credentials, and the stand-ins allow only what that role's policy (and
// its permissions boundary) allows: a statement missing from a declaration fails here as it fails in AWS. Here
// three statements are removed from the synthesized roles, one per kind of failure.
const { config, names } = expected("dev");
const REMOVED: Record<string, string> = { status: "ReadMetadata", presign: "PresignUpload", process: "WriteProcessed" };
let work: string;
let p: LocalPipeline;
const log: string[] = [];
const buckets = { in: "", out: "" };

/** The dev synthesis, copied, with statements removed from the role policies. */
function withoutStatements(removed: Record<string, string>): string {
  const outdir = path.join(work, "out");
  cpSync(synthEnv("dev").outdir, outdir, { recursive: true });
  const file = path.join(outdir, "stacks", names.stack("iam"), "cdk.tf.json");
  const stack = JSON.parse(readFileSync(file, "utf8"));
  for (const [fn, sid] of Object.entries(removed)) {
    const policy = stack.resource.aws_iam_role_policy[`${fn}-role-policy`];
    const document = JSON.parse(policy.policy) as { Statement: PolicyStatement[] };
    const kept = document.Statement.filter((s) => s.Sid !== sid);
    if (kept.length !== document.Statement.length - 1) throw new Error(`${fn}'s role has no statement ${sid}`);
    policy.policy = JSON.stringify({ ...document, Statement: kept });
  }
  writeFileSync(file, JSON.stringify(stack));
  return outdir;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "ddn-local-iam-"));
  const outdir = withoutStatements(REMOVED);
  const app = new SynthesizedApp(outdir);
  const storage = names.stack("storage");
  for (const which of ["in", "out"] as const) buckets[which] = app.resolveString(storage, app.byAddress(storage, `aws_s3_bucket.${which}-bucket`)!.body.bucket);
  p = await startLocalPipeline({ outdir, port: 0, log: (l) => log.push(l) });
}, 60_000);
afterAll(async () => {
  await p?.stop();
  rmSync(work, { recursive: true, force: true });
});

const headers = async (sub: string) => ({ Authorization: `Bearer ${await p.issueToken({ sub })}`, Origin: "http://localhost:3000" });

test("a presigned URL carries its signer's permissions: without s3:PutObject, S3 refuses the upload, naming role and action", async () => {
  const res = await fetch(`${p.apiUrl}/presign?mode=upload&file=a.txt&contentType=text/plain&size=3`, { headers: await headers("iam-user") });
  expect(res.status).toBe(200);
  const upload = (await res.json()) as { url: string; headers: Record<string, string> };
  const put = await fetch(upload.url, { method: "PUT", body: "abc", headers: upload.headers });
  expect(put.status).toBe(403);
  const xml = await put.text();
  expect(xml).toContain("<Code>AccessDenied</Code>");
  const key = `${principalPrefix("iam-user")}a.txt`;
  expect(xml).toContain(
    `User: arn:aws:sts::000000000000:assumed-role/${names.role("presign")}/${names.functionName("presign")} is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::${buckets.in}/${key} because no identity-based policy allows the s3:PutObject action`,
  );
});

test("a handler call its role does not allow fails as in AWS (status without dynamodb:GetItem: 500)", async () => {
  const res = await fetch(`${p.apiUrl}/files/never-seen.txt`, { headers: await headers("iam-user") });
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ code: "InternalError", message: expect.any(String) });
});

test("the processor without s3:PutObject on the out-bucket fails every attempt; the failure record names the denial", async () => {
  // The operator uploads (the presign role, here, may not).
  const s3 = new S3Client({ endpoint: p.aws.s3Endpoint, forcePathStyle: true, region: config.region, credentials: LOCAL_CREDENTIALS });
  const key = `${principalPrefix("iam-user")}processed.txt`;
  await s3.send(new PutObjectCommand({ Bucket: buckets.in, Key: key, Body: "bytes", ContentType: "text/plain" }));
  s3.destroy();
  await p.notifications.idle();
  const records = p.sqs.messages(names.failureQueue("process")).map((m) => parseFailureRecord(m.body));
  expect(records.map((r) => r.keys)).toEqual([[key]]);
  expect(records[0]!.error).toContain(`is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::${buckets.out}/`);
  expect(records[0]!.attempts).toBe(config.eventDelivery.maxRetryAttempts + 1);
});
