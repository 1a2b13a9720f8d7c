import { createHmac } from "node:crypto";
import { GetItemCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { startLocalAws, type LocalAws } from "../../local/aws-servers";
import { dynamodbRequests, s3Requests } from "../../local/iam-actions";
import { LOCAL_CREDENTIALS, LocalIam, type LocalCredentials } from "../../local/local-iam";
import { LOCAL_ACCOUNT } from "../../synth/synthesized-app";

// The S3 and DynamoDB stand-ins authorize each request as the services do, with the signer's policies: the actions
// each request needs, S3's 403-for-a-missing-key to a caller that may not list, temporary keys only with their
// session token, signatures for the servers' region only.
const REGION = "eu-west-1";
const BUCKET = "ddn-test-iam-in";
const TABLE = "ddn-test-iam-files";
const iam = new LocalIam();
const objects = (...actions: string[]) => ({ Sid: "Objects", Effect: "Allow" as const, Action: actions, Resource: `arn:aws:s3:::${BUCKET}/users/*` });
const reader = iam.assumeRole("reader", "fn", [objects("s3:GetObject")]);
const lister = iam.assumeRole("lister", "fn", [objects("s3:GetObject"), { Sid: "List", Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${BUCKET}` }]);
const bounded = iam.assumeRole("bounded", "fn", [objects("s3:GetObject", "s3:PutObject")], [objects("s3:GetObject")]);
const itemReader = iam.assumeRole("item-reader", "fn", [{ Sid: "Items", Effect: "Allow", Action: "dynamodb:GetItem", Resource: `arn:aws:dynamodb:${REGION}:${LOCAL_ACCOUNT}:table/${TABLE}` }]);
let aws: LocalAws;
const clients: Array<{ destroy(): void }> = [];
const s3Of = (credentials: LocalCredentials, extra: Partial<S3ClientConfig> = {}) => {
  const c = new S3Client({ endpoint: aws.s3Endpoint, forcePathStyle: true, region: REGION, credentials, maxAttempts: 1, ...extra });
  clients.push(c);
  return c;
};
const dynamoOf = (credentials: LocalCredentials, region = REGION) => {
  const c = new DynamoDBClient({ endpoint: aws.dynamodbEndpoint, region, credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [BUCKET], table: { name: TABLE, hashKey: "key" }, iam, region: REGION });
  await s3Of(LOCAL_CREDENTIALS).send(new PutObjectCommand({ Bucket: BUCKET, Key: "users/a.txt", Body: "a" }));
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await aws.stop();
});

test("a missing key is 404 to a caller that may list the bucket and 403 to one that may not (GET and HEAD)", async () => {
  const status = (e: unknown) => (e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode;
  for (const [credentials, expected] of [[reader, 403], [lister, 404], [LOCAL_CREDENTIALS, 404]] as const) {
    const s3 = s3Of(credentials);
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "users/a.txt" }))).ContentLength).toBe(1);
    for (const command of [new HeadObjectCommand({ Bucket: BUCKET, Key: "users/missing.txt" }), new GetObjectCommand({ Bucket: BUCKET, Key: "users/missing.txt" })]) {
      expect(await s3.send(command as GetObjectCommand).then(() => 200, status)).toBe(expected);
    }
  }
});

test("the identity policy and the permissions boundary must both allow; each refusal says which did not", async () => {
  const denied = { name: "AccessDenied", message: expect.stringContaining("assumed-role/reader/fn is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::ddn-test-iam-in/users/b.txt because no identity-based policy allows the s3:PutObject action") };
  await expect(s3Of(reader).send(new PutObjectCommand({ Bucket: BUCKET, Key: "users/b.txt", Body: "b" }))).rejects.toMatchObject(denied);
  await expect(s3Of(bounded).send(new PutObjectCommand({ Bucket: BUCKET, Key: "users/b.txt", Body: "b" }))).rejects.toMatchObject({ message: expect.stringContaining("because no permissions boundary allows the s3:PutObject action") });
  // Outside the resource the policy names.
  await expect(s3Of(reader).send(new GetObjectCommand({ Bucket: BUCKET, Key: "other/a.txt" }))).rejects.toMatchObject({ name: "AccessDenied" });
  // A presigned URL: the signer's permissions, whoever uses it.
  const url = await getSignedUrl(s3Of(reader), new PutObjectCommand({ Bucket: BUCKET, Key: "users/c.txt" }), { expiresIn: 60 });
  const put = await fetch(url, { method: "PUT", body: "c" });
  expect(put.status).toBe(403);
  expect(await put.text()).toContain("not authorized to perform: s3:PutObject");
});

test("temporary credentials need their session token; an unknown key or a signature for another region is refused", async () => {
  const { sessionToken: _dropped, ...withoutToken } = reader;
  await expect(s3Of(withoutToken).send(new GetObjectCommand({ Bucket: BUCKET, Key: "users/a.txt" }))).rejects.toMatchObject({ name: "InvalidToken" });
  await expect(s3Of({ accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" }).send(new GetObjectCommand({ Bucket: BUCKET, Key: "users/a.txt" }))).rejects.toMatchObject({ name: "InvalidAccessKeyId" });
  await expect(dynamoOf({ accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" }).send(new GetItemCommand({ TableName: TABLE, Key: { key: { S: "a" } } }))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
  await expect(dynamoOf(LOCAL_CREDENTIALS, "us-east-1").send(new GetItemCommand({ TableName: TABLE, Key: { key: { S: "a" } } }))).rejects.toMatchObject({ name: "InvalidSignatureException" });
  // S3 too checks the region a request is signed for (s3rver alone takes any), presigned or not.
  await expect(s3Of(LOCAL_CREDENTIALS, { region: "us-east-1" }).send(new GetObjectCommand({ Bucket: BUCKET, Key: "users/a.txt" }))).rejects.toMatchObject({ name: "AuthorizationHeaderMalformed", message: expect.stringMatching(new RegExp(`the region \\S+us-east-1\\S+ is wrong; expecting \\S+${REGION}`)) });
  const elsewhere = await fetch(await getSignedUrl(s3Of(LOCAL_CREDENTIALS, { region: "us-east-1" }), new GetObjectCommand({ Bucket: BUCKET, Key: "users/a.txt" }), { expiresIn: 60 }));
  expect(elsewhere.status).toBe(400);
  expect(await elsewhere.text()).toContain("<Code>AuthorizationQueryParametersError</Code>");
  await expect(dynamoOf(withoutToken).send(new GetItemCommand({ TableName: TABLE, Key: { key: { S: "a" } } }))).rejects.toMatchObject({ name: "UnrecognizedClientException" });
});

test("Signature Version 2 is refused, as S3 refuses it for buckets created since June 2020 (s3rver takes it)", async () => {
  const expires = Math.floor(Date.now() / 1000) + 60;
  const signature = createHmac("sha1", LOCAL_CREDENTIALS.secretAccessKey).update(`GET\n\n\n${expires}\n/${BUCKET}/users/a.txt`).digest("base64");
  const url = `${aws.s3Endpoint}/${BUCKET}/users/a.txt?AWSAccessKeyId=${LOCAL_CREDENTIALS.accessKeyId}&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
  const v2 = await fetch(url);
  expect(v2.status).toBe(400);
  expect(await v2.text()).toContain("<Code>InvalidRequest</Code>");
  // The same request signed with a wrong secret: s3rver's own check answers first (the V2 signature was valid above).
  const forged = await fetch(url.replace(encodeURIComponent(signature), encodeURIComponent(createHmac("sha1", "wrong").update("x").digest("base64"))));
  expect(await forged.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
});

test("DynamoDB: the action on the table the call names", async () => {
  const db = dynamoOf(itemReader);
  expect((await db.send(new GetItemCommand({ TableName: TABLE, Key: { key: { S: "a" } } }))).Item).toBeUndefined();
  await expect(db.send(new PutItemCommand({ TableName: TABLE, Item: { key: { S: "a" } } }))).rejects.toMatchObject({
    name: "AccessDeniedException",
    message: `User: arn:aws:sts::000000000000:assumed-role/item-reader/fn is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:${REGION}:000000000000:table/${TABLE} because no identity-based policy allows the dynamodb:PutItem action`,
  });
  await expect(dynamoOf(reader).send(new GetItemCommand({ TableName: TABLE, Key: { key: { S: "a" } } }))).rejects.toMatchObject({ name: "AccessDeniedException" });
});

test("which actions a request needs (AWS's tables); a request not mapped is not guessed", () => {
  const s3 = (method: string, key: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    s3Requests({ method, bucket: "b", key, query, headers })?.map((r) => `${r.action} ${r.resource}`);
  expect(s3("PUT", "k")).toEqual(["s3:PutObject arn:aws:s3:::b/k"]);
  expect(s3("PUT", "k", {}, { "x-amz-tagging": "a=b" })).toEqual(["s3:PutObject arn:aws:s3:::b/k", "s3:PutObjectTagging arn:aws:s3:::b/k"]);
  expect(s3("PUT", "k", {}, { "x-amz-copy-source": "/src/a%20b.txt?versionId=3" })).toEqual(["s3:PutObject arn:aws:s3:::b/k", "s3:GetObjectVersion arn:aws:s3:::src/a b.txt"]);
  expect(s3("POST", "k", { uploads: "" })).toEqual(["s3:PutObject arn:aws:s3:::b/k"]);
  expect(s3("PUT", "k", { uploadId: "u", partNumber: "1" })).toEqual(["s3:PutObject arn:aws:s3:::b/k"]);
  expect(s3("GET", "k", { uploadId: "u" })).toEqual(["s3:ListMultipartUploadParts arn:aws:s3:::b/k"]);
  expect(s3("DELETE", "k", { uploadId: "u" })).toEqual(["s3:AbortMultipartUpload arn:aws:s3:::b/k"]);
  expect(s3("HEAD", "k", { versionId: "v" })).toEqual(["s3:GetObjectVersion arn:aws:s3:::b/k"]);
  expect(s3("DELETE", "k")).toEqual(["s3:DeleteObject arn:aws:s3:::b/k"]);
  expect(s3("GET", "", { "list-type": "2" })).toEqual(["s3:ListBucket arn:aws:s3:::b"]);
  expect(s3("GET", "", { uploads: "" })).toEqual(["s3:ListBucketMultipartUploads arn:aws:s3:::b"]);
  expect(s3("POST", "", { delete: "" })).toBeUndefined();
  expect(s3("GET", "k", { acl: "" })).toBeUndefined();
  const scope = { region: REGION, account: LOCAL_ACCOUNT };
  expect(dynamodbRequests(scope, "BatchWriteItem", { RequestItems: { t1: [], t2: [] } })?.map((r) => r.resource)).toEqual([`arn:aws:dynamodb:${REGION}:000000000000:table/t1`, `arn:aws:dynamodb:${REGION}:000000000000:table/t2`]);
  expect(dynamodbRequests(scope, "Query", { TableName: "t", IndexName: "i" })).toEqual([{ action: "dynamodb:Query", resource: `arn:aws:dynamodb:${REGION}:000000000000:table/t/index/i` }]);
  expect(dynamodbRequests(scope, "ExecuteStatement", {})).toBeUndefined();
});
