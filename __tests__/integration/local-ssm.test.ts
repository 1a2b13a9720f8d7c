import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { parameterDecryption } from "../../constructs/parameter-decryption";
import type { PolicyStatement } from "../../constructs/policy-document";
import { parameterArn } from "../../local/iam-actions";
import { LOCAL_CREDENTIALS, LocalIam, type LocalCredentials } from "../../local/local-iam";
import { startLocalSsm } from "../../local/ssm-server";
import { LOCAL_ACCOUNT, LOCAL_PARTITION } from "../../synth/synthesized-app";

// The local SSM answers as SSM does where a handler could get it wrong: a SecureString's value only with
// WithDecryption, and only to a caller whose role may read the parameter and decrypt it via SSM; nothing to an
// unsigned request, an unknown key, a signature for another region; ParameterNotFound for a name it does not hold.
const SECRET = "local-signing-secret";
const NAME = "/ddn/dev/jwt-secret";
const REGION = "eu-west-1";
const scope = { region: REGION, account: LOCAL_ACCOUNT };
const read: PolicyStatement = { Sid: "Read", Effect: "Allow", Action: "ssm:GetParameter", Resource: parameterArn(scope, NAME) };
const decrypt = parameterDecryption("ReadDecryption", { ...scope, ...LOCAL_PARTITION }, parameterArn(scope, NAME));

const iam = new LocalIam();
const reader = iam.assumeRole("reader", "fn", [read, decrypt]);
const readOnly = iam.assumeRole("read-only", "fn", [read]);
let ssm: Awaited<ReturnType<typeof startLocalSsm>>;
const clients: SSMClient[] = [];
const clientOf = (credentials: LocalCredentials, region = REGION) => {
  const client = new SSMClient({ endpoint: ssm.endpoint, region, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
};
const getParameter = (client: SSMClient, WithDecryption?: boolean, Name = NAME) => client.send(new GetParameterCommand({ Name, WithDecryption }));

beforeAll(async () => {
  ssm = await startLocalSsm({ [NAME]: SECRET }, { iam, region: REGION });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await ssm.stop();
});

test("a SecureString's value comes back only with WithDecryption; without it, an opaque ciphertext", async () => {
  for (const credentials of [LOCAL_CREDENTIALS, reader]) {
    const client = clientOf(credentials);
    expect((await getParameter(client, true)).Parameter).toMatchObject({ Type: "SecureString", Value: SECRET });
    for (const flag of [undefined, false]) {
      const { Value } = (await getParameter(client, flag)).Parameter!;
      expect(Value).not.toContain(SECRET);
      expect(Value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }
  }
});

test("decrypting needs the caller's own kms:Decrypt via SSM for that parameter; reading needs ssm:GetParameter", async () => {
  const client = clientOf(readOnly);
  expect((await getParameter(client, false)).Parameter?.Value).not.toContain(SECRET);
  await expect(getParameter(client, true)).rejects.toMatchObject({
    name: "AccessDeniedException",
    message: expect.stringMatching(/^User: arn:aws:sts::000000000000:assumed-role\/read-only\/fn is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:000000000000:key\/\S+ because no identity-based policy allows the kms:Decrypt action$/),
  });
  // Another parameter: the role's read and its decryption both name only NAME.
  const other = iam.assumeRole("other", "fn", [{ ...read, Resource: parameterArn(scope, "/ddn/dev/other") }, decrypt]);
  await expect(getParameter(clientOf(other), true)).rejects.toMatchObject({ name: "AccessDeniedException", message: expect.stringContaining("ssm:GetParameter on resource: arn:aws:ssm:eu-west-1:000000000000:parameter/ddn/dev/jwt-secret") });
});

test("an unknown name is ParameterNotFound; unsigned, unknown-key, wrong-region and tampered requests are refused", async () => {
  await expect(getParameter(clientOf(LOCAL_CREDENTIALS), true, "/ddn/dev/other")).rejects.toMatchObject({ name: "ParameterNotFound" });
  const unsigned = await fetch(ssm.endpoint, { method: "POST", headers: { "x-amz-target": "AmazonSSM.GetParameter", "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify({ Name: NAME, WithDecryption: true }) });
  expect(unsigned.status).toBe(400);
  expect(await unsigned.json()).toEqual({ __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" });
  await expect(getParameter(clientOf({ accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" }), true)).rejects.toMatchObject({ name: "UnrecognizedClientException" });
  await expect(getParameter(clientOf(LOCAL_CREDENTIALS, "us-east-1"), true)).rejects.toMatchObject({ name: "InvalidSignatureException", message: "Credential should be scoped to a valid region." });
  await expect(getParameter(clientOf({ ...reader, secretAccessKey: `${reader.secretAccessKey}x` }), true)).rejects.toMatchObject({ name: "InvalidSignatureException" });
  // Temporary credentials are nothing without their session token.
  const { sessionToken: _dropped, ...withoutToken } = reader;
  await expect(getParameter(clientOf(withoutToken), true)).rejects.toMatchObject({ name: "UnrecognizedClientException" });
});
