import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { startLocalSsm } from "../../local/ssm-server";

// The local SSM answers as SSM does where a handler could get it wrong: a SecureString's value only with
// WithDecryption, nothing to an unsigned request, ParameterNotFound for a name it does not hold.
const SECRET = "local-signing-secret";
let ssm: Awaited<ReturnType<typeof startLocalSsm>>;
let client: SSMClient;
beforeAll(async () => {
  ssm = await startLocalSsm({ "/ddn/dev/jwt-secret": SECRET });
  client = new SSMClient({ endpoint: ssm.endpoint, region: "eu-west-1", credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" } });
});
afterAll(async () => {
  client.destroy();
  await ssm.stop();
});

test("a SecureString's value comes back only with WithDecryption; without it, an opaque ciphertext", async () => {
  const read = async (WithDecryption?: boolean) => (await client.send(new GetParameterCommand({ Name: "/ddn/dev/jwt-secret", WithDecryption }))).Parameter;
  expect(await read(true)).toMatchObject({ Type: "SecureString", Value: SECRET });
  for (const flag of [undefined, false]) {
    const { Value } = (await read(flag))!;
    expect(Value).not.toContain(SECRET);
    expect(Value).toMatch(/^[A-Za-z0-9+/]+=*$/);
  }
});

test("an unknown name is ParameterNotFound; an unsigned request is refused", async () => {
  await expect(client.send(new GetParameterCommand({ Name: "/ddn/dev/other", WithDecryption: true }))).rejects.toMatchObject({ name: "ParameterNotFound" });
  const unsigned = await fetch(ssm.endpoint, { method: "POST", headers: { "x-amz-target": "AmazonSSM.GetParameter", "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify({ Name: "/ddn/dev/jwt-secret", WithDecryption: true }) });
  expect(unsigned.status).toBe(400);
  expect(await unsigned.json()).toEqual({ __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" });
});
