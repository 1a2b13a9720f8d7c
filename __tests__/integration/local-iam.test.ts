import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { principalPrefix } from "../../functions/lib/key-space";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { PolicyStatement } from "../../constructs/policy-document";
import { LOCAL_CREDENTIALS } from "../../local/local-iam";
import { startLocalPipeline, type LocalPipeline } from "../../local/pipeline";
import { parseFailureRecord } from "../../ops/failure-record";
import { SynthesizedApp } from "../../synth/synthesized-app";
import { editStack, expected, synthEnv } from "../stacks/synth";

// Each function runs with its own role's credentials, and the stand-ins allow only what that role's policy (and
// its permissions boundary) allows: a statement missing from a declaration fails here as it fails in AWS. Here
// statements are removed from the synthesized roles, one per kind of failure, in two pipelines.
const { config, names } = expected("dev");
let work: string;
const buckets = { in: "", out: "" };

/** A pipeline of the dev synthesis, copied, with statements (by function, their Sids) removed from the role policies. */
async function pipelineWithout(name: string, removed: Record<string, string[]>): Promise<{ p: LocalPipeline; log: string[] }> {
  const outdir = path.join(work, name);
  cpSync(synthEnv("dev").outdir, outdir, { recursive: true });
  editStack(outdir, names.stack("iam"), (stack) => {
    for (const [fn, sids] of Object.entries(removed)) {
      const policy = stack.resource.aws_iam_role_policy[`${fn}-role-policy`];
      const document = JSON.parse(policy.policy) as { Statement: PolicyStatement[] };
      const kept = document.Statement.filter((s) => !sids.includes(s.Sid ?? ""));
      if (kept.length !== document.Statement.length - sids.length) throw new Error(`${fn}'s role lacks one of ${sids.join(", ")}`);
      policy.policy = JSON.stringify({ ...document, Statement: kept });
    }
  });
  const app = new SynthesizedApp(outdir);
  const storage = names.stack("storage");
  for (const which of ["in", "out"] as const) buckets[which] = app.resolveString(storage, app.byAddress(storage, `aws_s3_bucket.${which}-bucket`)!.body.bucket);
  const log: string[] = [];
  return { p: await startLocalPipeline({ outdir, port: 0, log: (l) => log.push(l) }), log };
}

let p: LocalPipeline;
let noDestination: { p: LocalPipeline; log: string[] };
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "ddn-local-iam-"));
  [{ p }, noDestination] = await Promise.all([
    pipelineWithout("one-each", { status: ["ReadMetadata"], presign: ["PresignUpload"], process: ["WriteProcessed"] }),
    pipelineWithout("no-destination", { process: ["WriteProcessed", "OnFailureDestination"] }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([p?.stop(), noDestination?.p.stop()]);
  rmSync(work, { recursive: true, force: true });
});

/** The operator uploads an object to the in-bucket (which starts the processor). */
async function operatorUpload(pipeline: LocalPipeline, key: string): Promise<void> {
  const s3 = new S3Client({ endpoint: pipeline.aws.s3Endpoint, forcePathStyle: true, region: config.region, credentials: LOCAL_CREDENTIALS });
  await s3.send(new PutObjectCommand({ Bucket: buckets.in, Key: key, Body: "bytes", ContentType: "text/plain" }));
  s3.destroy();
  await pipeline.notifications.idle();
}

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
  const key = `${principalPrefix("iam-user")}processed.txt`;
  await operatorUpload(p, key);
  const records = p.sqs.messages(names.failureQueue("process")).map((m) => parseFailureRecord(m.body));
  expect(records.map((r) => r.keys)).toEqual([[key]]);
  expect(records[0]!.error).toContain(`is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::${buckets.out}/`);
  expect(records[0]!.attempts).toBe(config.eventDelivery.maxRetryAttempts + 1);
});

test("Lambda sends the on-failure record with the function's role: without sqs:SendMessage, the record is dropped", async () => {
  const key = `${principalPrefix("iam-user")}undeliverable.txt`;
  await operatorUpload(noDestination.p, key);
  expect(noDestination.p.sqs.messages(names.failureQueue("process"))).toEqual([]);
  expect(noDestination.log).toContainEqual(expect.stringMatching(new RegExp(`the on-failure destination refused the record \\(AccessDenied: .* is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:${config.region}:000000000000:${names.failureQueue("process")} `)));
});
