import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadConfig, naming } from "../../config";
import { API_GATEWAY_QUOTAS, LAMBDA_QUOTAS } from "../../config/aws-quotas";
import { zipDeterministic } from "../../constructs/zip";
import { startLocalPipeline, type LocalPipeline } from "../../local/pipeline";
import { editStack, freshSynthEnv, type Synthesized } from "../stacks/synth";

// What a local server would take and AWS refuses: a request over API Gateway's 10 MB, an event or a response over
// Lambda's 6 MB, an answer later than the integration's timeout, a proxy result or an authorizer output API Gateway
// cannot use. Each passes a handler test and fails in AWS with 413, 500, 502 or 504; the local API answers the same.
// The uploads function is replaced by a handler that sleeps and answers what it is asked for (its integrations wait
// INTEGRATION_TIMEOUT_MS instead of 29 s), the authorizer by one whose output depends on the token.
const names = naming(loadConfig("dev"));
const UPLOADS = names.functionName("uploads");
const INTEGRATION_TIMEOUT_MS = 1000;
const SIZED_HANDLER = `exports.handler = async (event) => {
  const q = event.queryStringParameters || {};
  if (q.sleepMs) await new Promise((resolve) => setTimeout(resolve, Number(q.sleepMs)));
  if (q.objectBody) return { statusCode: 200, body: { not: "a string" } };
  return { statusCode: 200, body: "x".repeat(Number(q.bodyBytes || 2)) };
};
`;
const AUTHORIZER = `exports.handler = async (event) => {
  const allow = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "execute-api:Invoke", Resource: event.methodArn.split("/")[0] + "/*" }] };
  if (event.authorizationToken === "Bearer nested.context.x") return { principalId: "u", policyDocument: allow, context: { groups: ["a", "b"] } };
  if (event.authorizationToken === "Bearer no.principal.x") return { policyDocument: allow };
  return { principalId: "u", policyDocument: allow, context: { tenant: "t", admin: false, quota: 3 } };
};
`;
let synth: Synthesized;
let p: LocalPipeline;
let headers: Record<string, string>;

/** Replaces a function's asset zip with one holding `source` as its handler; returns the function's address. */
function replaceHandler(functionName: string, source: string): string {
  const compute = names.stack("compute");
  const [address, fn] = Object.entries(synth.stacks[compute]!.resource!.aws_lambda_function!).find(([, f]) => f.function_name === functionName)!;
  const entry = `${String(fn.handler).split(".")[0]}.js`;
  writeFileSync(path.join(synth.outdir, "stacks", compute, fn.filename), zipDeterministic([{ name: entry, data: Buffer.from(source) }]));
  return address;
}

beforeAll(async () => {
  synth = freshSynthEnv("dev");
  const address = replaceHandler(UPLOADS, SIZED_HANDLER);
  replaceHandler(names.functionName("authorize"), AUTHORIZER);
  editStack(synth.outdir, names.stack("api"), (api) => {
    const integrations = Object.values<any>(api.resource.aws_api_gateway_integration).filter((i) => String(i.uri).includes(`${address}invoke_arn`));
    expect(integrations.length).toBeGreaterThan(0);
    for (const integration of integrations) integration.timeout_milliseconds = INTEGRATION_TIMEOUT_MS;
  });
  p = await startLocalPipeline({ outdir: synth.outdir, port: 0 });
  // Shaped as a JWT: the authorizer's identity validation expression wants one.
  headers = { Authorization: "Bearer any.valid.token", Origin: p.allowedOrigins[0]! };
}, 60_000);
afterAll(async () => {
  await p?.stop();
  synth?.cleanup();
});

const params = (query: Record<string, number>) => `${p.apiUrl}/s3/params?filename=a.txt&${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`;

test("an answer later than the integration timeout is API Gateway's 504 (a gateway response, with CORS); a prompt one passes", async () => {
  const started = performance.now();
  const late = await fetch(params({ sleepMs: 3 * INTEGRATION_TIMEOUT_MS }), { headers });
  const waited = performance.now() - started;
  expect(late.status).toBe(504);
  expect(late.headers.get("x-amzn-errortype")).toBe("INTEGRATION_TIMEOUT");
  expect(late.headers.get("access-control-allow-origin")).toBe(headers.Origin);
  // The stack's DEFAULT_5XX response hides what failed; the status still says which.
  expect(await late.json()).toEqual({ code: "InternalError", message: "Internal server error" });
  expect(waited).toBeGreaterThanOrEqual(INTEGRATION_TIMEOUT_MS - 50);
  expect(waited).toBeLessThan(3 * INTEGRATION_TIMEOUT_MS);
  expect((await fetch(params({ sleepMs: 0 }), { headers })).status).toBe(200);
});

test("a response over Lambda's 6 MB is a 502; one just under it passes", async () => {
  // The proxy result's JSON around the body: {"statusCode":200,"body":"…"}.
  const envelope = JSON.stringify({ statusCode: 200, body: "" }).length;
  const fits = await fetch(params({ bodyBytes: LAMBDA_QUOTAS.syncResponseBytes - envelope }), { headers });
  expect(fits.status).toBe(200);
  expect((await fits.text()).length).toBe(LAMBDA_QUOTAS.syncResponseBytes - envelope);
  const over = await fetch(params({ bodyBytes: LAMBDA_QUOTAS.syncResponseBytes - envelope + 1 }), { headers });
  expect(over.status).toBe(502);
  expect(await over.json()).toEqual({ message: "Internal server error" });
});

test("a request over 10 MB is refused in plain text before the authorizer; an event over Lambda's 6 MB is 413 Request Too Long", async () => {
  const post = (bytes: number, withToken = true) => fetch(`${p.apiUrl}/s3/multipart`, { method: "POST", headers: withToken ? headers : { Origin: headers.Origin! }, body: Buffer.alloc(bytes, "a") });
  const huge = await post(API_GATEWAY_QUOTAS.payloadBytes + 1, false);
  expect(huge.status).toBe(413);
  expect(huge.headers.get("access-control-allow-origin")).toBeNull();
  expect(await huge.text()).toBe(`HTTP content length exceeded ${API_GATEWAY_QUOTAS.payloadBytes} bytes.`);

  // Under API Gateway's limit, over Lambda's once wrapped in the proxy event.
  const large = await post(LAMBDA_QUOTAS.syncRequestBytes);
  expect(large.status).toBe(413);
  expect(large.headers.get("x-amzn-errortype")).toBe("BadRequestException");
  expect(await large.json()).toEqual({ message: "Request Too Long" });

  expect((await post(5 * 1024 * 1024)).status).toBe(200);
});

test("the Invoke API refuses a payload over 6 MB (RequestEntityTooLargeException) and reports a response over it as a function error", async () => {
  const invoke = (payload: unknown) => fetch(`${p.serverUrl}/2015-03-31/functions/${UPLOADS}/invocations`, { method: "POST", body: JSON.stringify(payload) });
  const refused = await invoke({ pad: "x".repeat(LAMBDA_QUOTAS.syncRequestBytes) });
  expect(refused.status).toBe(413);
  expect(refused.headers.get("x-amzn-errortype")).toBe("RequestEntityTooLargeException");
  expect(((await refused.json()) as { message: string }).message).toBe(`Request must be smaller than ${LAMBDA_QUOTAS.syncRequestBytes} bytes for the InvokeFunction operation`);

  const tooLong = await invoke({ queryStringParameters: { bodyBytes: String(LAMBDA_QUOTAS.syncResponseBytes) } });
  expect(tooLong.status).toBe(200);
  expect(tooLong.headers.get("x-amz-function-error")).toBe("Unhandled");
  expect(((await tooLong.json()) as { errorType: string }).errorType).toBe("Function.ResponseSizeTooLarge");

  const fits = await invoke({ queryStringParameters: { bodyBytes: "10" } });
  expect(fits.headers.get("x-amz-function-error")).toBeNull();
  expect(await fits.json()).toEqual({ statusCode: 200, body: "x".repeat(10) });
});

test("a proxy result whose body is not a string is API Gateway's 502 (malformed Lambda proxy response)", async () => {
  const malformed = await fetch(params({ objectBody: 1 }), { headers });
  expect(malformed.status).toBe(502);
  expect(await malformed.json()).toEqual({ message: "Internal server error" });
});

test("an authorizer output API Gateway cannot use (no principalId, a context value that is not a scalar) is 500; scalars pass", async () => {
  for (const token of ["nested.context.x", "no.principal.x"]) {
    const refused = await fetch(params({}), { headers: { ...headers, Authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(500);
    expect(refused.headers.get("x-amzn-errortype")).toBe("AUTHORIZER_CONFIGURATION_ERROR");
    expect(refused.headers.get("access-control-allow-origin")).toBe(headers.Origin);
  }
  expect((await fetch(params({}), { headers })).status).toBe(200);
});
