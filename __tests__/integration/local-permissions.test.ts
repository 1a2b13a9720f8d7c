import { naming, loadConfig } from "../../config";
import { startLocalPipeline, type LocalPipeline } from "../../local/pipeline";
import { editStack, freshSynthEnv, type Synthesized } from "../stacks/synth";

// A route whose Lambda permission was forgotten passes synth (without the gate), plan and apply, and then API
// Gateway answers 500 "Invalid permissions on Lambda function". The local API must answer the same.
const names = naming(loadConfig("dev"));
let synth: Synthesized;
let p: LocalPipeline;

function dropPermissions(outdir: string, match: (statementId: string) => boolean): void {
  editStack(outdir, names.stack("api"), (json) => {
    for (const [id, perm] of Object.entries<any>(json.resource.aws_lambda_permission)) if (match(perm.statement_id)) delete json.resource.aws_lambda_permission[id];
  });
}

beforeAll(async () => {
  synth = freshSynthEnv("dev");
  dropPermissions(synth.outdir, (sid) => sid.includes("files-key-path-get"));
  p = await startLocalPipeline({ outdir: synth.outdir, port: 0 });
}, 60_000);
afterAll(async () => {
  await p?.stop();
  synth?.cleanup();
});

test("a route without a matching permission answers 500 like API Gateway; a route with one is invoked", async () => {
  const headers = { Authorization: `Bearer ${await p.issueToken()}`, Origin: "http://localhost:3000" };
  const refused = await fetch(`${p.apiUrl}/files/a.txt`, { headers });
  expect(refused.status).toBe(500);
  expect(refused.headers.get("x-amzn-errortype")).toBe("API_CONFIGURATION_ERROR");
  expect(await refused.json()).toEqual({ code: "InternalError", message: "Internal server error" });
  const served = await fetch(`${p.apiUrl}/presign?file=a.txt`, { headers });
  expect(served.status).toBe(200);
});

test("an authorizer without its permission answers 500 on protected routes", async () => {
  dropPermissions(synth.outdir, (sid) => sid === "AllowApiGatewayAuthorizer");
  const again = await startLocalPipeline({ outdir: synth.outdir, port: 0 });
  try {
    const res = await fetch(`${again.apiUrl}/presign?file=a.txt`, { headers: { Authorization: `Bearer ${await again.issueToken()}` } });
    expect(res.status).toBe(500);
    expect(res.headers.get("x-amzn-errortype")).toBe("AUTHORIZER_CONFIGURATION_ERROR");
    expect((await fetch(`${again.apiUrl}/health`)).status).toBe(200);
  } finally {
    await again.stop();
  }
});
