import { offlineAccessKey, startOfflineAws, OFFLINE_ACCOUNT } from "../../plan/offline-aws";

// The loopback stand-in offline plans use for AWS: what it answers, and that it refuses everything else in the shape
// the provider's SDK reads (a refusal must read as one in the plan's error, not as a parse failure).
let aws: Awaited<ReturnType<typeof startOfflineAws>>;
beforeAll(async () => {
  aws = await startOfflineAws({
    roles: [{ name: "ddn-apigateway-logs-eu-west-1", path: "/account-settings/" }],
    policies: [{ name: "ddn-dev-boundary", tags: { "boundary-revision": "3" } }],
  });
});
afterAll(() => aws.stop());

const call = (body: string, headers: Record<string, string> = {}) =>
  fetch(aws.endpoint, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } }).then(async (r) => ({ status: r.status, type: r.headers.get("content-type"), text: await r.text() }));
const signedBy = (key: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0` });

test("GetCallerIdentity answers the account of the signing key (OFFLINE_ACCOUNT for any other key)", async () => {
  expect((await call("Action=GetCallerIdentity&Version=2011-06-15", signedBy(offlineAccessKey("210987654321")))).text).toContain("<Account>210987654321</Account>");
  expect((await call("Action=GetCallerIdentity&Version=2011-06-15", signedBy("AKIAOTHER"))).text).toContain(`<Account>${OFFLINE_ACCOUNT}</Account>`);
});

test("ListRoles answers the configured roles under the path prefix", async () => {
  expect((await call("Action=ListRoles&PathPrefix=%2Faccount-settings%2F")).text).toContain("<RoleName>ddn-apigateway-logs-eu-west-1</RoleName>");
  expect((await call("Action=ListRoles&PathPrefix=%2Fother%2F")).text).not.toContain("<RoleName>");
});

test("GetPolicy answers a configured policy of the signing account with its tags; GetPolicyVersion its (placeholder) document", async () => {
  const arn = encodeURIComponent(`arn:aws:iam::${OFFLINE_ACCOUNT}:policy/ddn-dev-boundary`);
  const policy = await call(`Action=GetPolicy&PolicyArn=${arn}`);
  expect(policy.status).toBe(200);
  expect(policy.text).toContain("<Tags><member><Key>boundary-revision</Key><Value>3</Value></member></Tags>");
  expect(policy.text).toContain("<DefaultVersionId>v1</DefaultVersionId>");
  const version = await call(`Action=GetPolicyVersion&PolicyArn=${arn}&VersionId=v1`);
  expect(JSON.parse(decodeURIComponent(/<Document>(.*)<\/Document>/.exec(version.text)![1]!))).toMatchObject({ Version: "2012-10-17" });
});

test("GetPolicy of a policy the account does not have (or of another account) is NoSuchEntity, 404", async () => {
  for (const arn of [`arn:aws:iam::${OFFLINE_ACCOUNT}:policy/ddn-prod-boundary`, "arn:aws:iam::210987654321:policy/ddn-dev-boundary"]) {
    const r = await call(`Action=GetPolicy&PolicyArn=${encodeURIComponent(arn)}`);
    expect(r.status).toBe(404);
    expect(r.text).toContain("<Code>NoSuchEntity</Code>");
  }
});

test("any other query action is refused (400, InvalidAction)", async () => {
  const r = await call("Action=GetRole&RoleName=x");
  expect(r).toMatchObject({ status: 400, type: "text/xml" });
  expect(r.text).toContain("<Code>InvalidAction</Code>");
});

test("a JSON-protocol call (SSM GetParameter) is refused as AccessDeniedException, in JSON", async () => {
  const r = await call('{"Name":"/ddn/dev/jwt-secret","WithDecryption":true}', { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.GetParameter" });
  expect(r).toMatchObject({ status: 400, type: "application/x-amz-json-1.1" });
  expect(JSON.parse(r.text)).toEqual({ __type: "AccessDeniedException", message: expect.stringContaining("AmazonSSM.GetParameter is refused") });
});
