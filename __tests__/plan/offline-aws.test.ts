import { offlineAccessKey, startOfflineAws, OFFLINE_ACCOUNT } from "../../plan/offline-aws";

// The loopback stand-in offline plans use for AWS: what it answers, and that it refuses everything else in the shape
// the provider's SDK reads (a refusal must read as one in the plan's error, not as a parse failure).
let aws: Awaited<ReturnType<typeof startOfflineAws>>;
beforeAll(async () => {
  aws = await startOfflineAws({ roles: [{ name: "ddn-apigateway-logs-eu-west-1", path: "/account-settings/" }] });
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
