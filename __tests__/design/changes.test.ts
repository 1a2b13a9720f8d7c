import { loadConfig, STACK_PARTS } from "../../config";
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { applyChange, copyProject, environmentsOf, stackJson, synth } from "./project-copy";

// The four everyday changes of the declaration design, each applied to a temporary copy of the project: they
// must synthesize every environment through the policy gate while touching at most the stated files outside
// __tests__/. The fixtures live in __tests__/fixtures/changes, so this stays honest as the code moves.
const copies: string[] = [];
afterAll(() => copies.forEach((c) => rmSync(c, { recursive: true, force: true })));

function changed(change: string): { copy: string; touched: string[]; out: (env: string) => string } {
  const copy = copyProject();
  copies.push(copy);
  return { copy, touched: applyChange(copy, change), out: (env) => path.join(copy, ".out", env) };
}

function synthEvery(copy: string, out: (env: string) => string): string[] {
  const envs = environmentsOf(copy);
  for (const env of envs) {
    const r = synth(copy, env, out(env));
    // The one expected message: prod's example values (config/placeholder.ts) are named, synth goes on.
    const stderr = r.stderr.replace(/^warning: \S+: \d+ example value\(s\)[^\n]*\n(  [^\n]*\n)*/m, "");
    expect({ env, status: r.status, stderr }).toEqual({ env, status: 0, stderr: "" });
    expect(r.stdout).toMatch(/policy gate: \d+ rules, 0 violations/);
  }
  return envs;
}

const fnId = (stack: any, name: string) => Object.keys(stack.resource.aws_lambda_function).find((k) => k.startsWith(`${name}_function_`))!;

describe.each([
  ["images-function", 3],
  ["delete-route", 3],
  ["staging-environment", 1],
  ["lifecycle-expiry", 1],
] as const)("change %s", (change, maxFiles) => {
  let c: ReturnType<typeof changed>;
  let envs: string[];
  beforeAll(() => {
    c = changed(change);
    envs = synthEvery(c.copy, c.out);
  }, 240_000);

  test(`touches at most ${maxFiles} file(s), none of them tests`, () => {
    expect(c.touched.length).toBeGreaterThan(0);
    expect(c.touched.length).toBeLessThanOrEqual(maxFiles);
    for (const f of c.touched) expect(f.startsWith("__tests__")).toBe(false);
  });

  test("takes effect in the synthesized stacks", () => {
    const dev = c.out("dev");
    switch (change) {
      case "images-function": {
        const compute = stackJson(dev, "ddn-dev-compute");
        const fn = fnId(compute, "thumbnail");
        expect(compute.resource.aws_s3_bucket_notification["out-bucket-notification"].lambda_function).toEqual([
          expect.objectContaining({ lambda_function_arn: `\${aws_lambda_function.${fn}.arn}`, filter_prefix: "images/", events: ["s3:ObjectCreated:*"] }),
        ]);
        expect(compute.resource.aws_sqs_queue["thumbnail-failures"].name).toBe("ddn-dev-thumbnail-failures");
        const policy = JSON.parse(stackJson(dev, "ddn-dev-iam").resource.aws_iam_role_policy["thumbnail-role-policy"].policy);
        expect(policy.Statement.find((s: any) => s.Sid === "ReadImages").Resource).toMatch(/out-bucketarn\}\/images\/\*$/);
        break;
      }
      case "delete-route": {
        const api = stackJson(dev, "ddn-dev-api");
        expect(api.resource.aws_api_gateway_method["files-key-path-delete"]).toMatchObject({ http_method: "DELETE", authorization: "CUSTOM" });
        expect(api.resource.aws_lambda_permission["files-key-path-delete-permission"].source_arn).toBe("${aws_api_gateway_rest_api.rest-api.execution_arn}/*/DELETE/files/*");
        const preflight = api.resource.aws_api_gateway_integration_response["files-key-path-preflight-options-integration-204"];
        expect(preflight.response_parameters["method.response.header.Access-Control-Allow-Methods"]).toBe("'DELETE,GET,OPTIONS'");
        break;
      }
      case "staging-environment": {
        expect(envs).toContain("staging");
        for (const part of STACK_PARTS) expect(stackJson(c.out("staging"), `ddn-staging-${part}`).provider.aws[0].region).toBe("us-east-1");
        // The bootstrap of its account (staging is a copy of prod: prod's) covers the new region without being edited.
        const bootstrapOut = path.join(c.copy, ".out", "bootstrap");
        const account = loadConfig("prod").account;
        const b = synth(c.copy, "dev", bootstrapOut, { entry: "bootstrap/main.ts", env: account ? { DDN_BOOTSTRAP_ACCOUNT: account } : {} });
        expect(b.status).toBe(0);
        expect(b.stdout).toMatch(new RegExp(`: ${account ? `account ${account} only` : "the account it runs in"}, environments [a-z, ]*\\bstaging\\b`));
        const policy = JSON.parse(stackJson(bootstrapOut, "ddn-bootstrap").resource.aws_iam_role_policy["deploy-role-staging-policy"].policy);
        expect(JSON.stringify(policy)).toContain(":lambda:us-east-1:");
        break;
      }
      case "lifecycle-expiry": {
        const rules = stackJson(dev, "ddn-dev-storage").resource.aws_s3_bucket_lifecycle_configuration["in-bucket-lifecycle"].rule;
        expect(rules.find((r: any) => r.id === "expire-processed-uploads").expiration[0].days).toBe(10);
        break;
      }
    }
  });
});

test("a subscription S3 would refuse stops synth, naming both subscriptions, and writes nothing", () => {
  const c = changed("overlapping-subscription");
  const r = synth(c.copy, "dev", c.out("dev"));
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('process.objectCreated[0] (bucket "in", prefix "", suffix "") and scan.objectCreated[0] (bucket "in", prefix "images/", suffix "") overlap');
  expect(existsSync(c.out("dev"))).toBe(false);
}, 60_000);
