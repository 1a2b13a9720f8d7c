import { readFileSync } from "node:fs";
import * as path from "node:path";
import { architectureDoc } from "../../delivery/diagram";
import { SynthesizedApp } from "../../synth/synthesized-app";
import { synthEnv, type Synthesized } from "../stacks/synth";

describe("docs/architecture.md", () => {
  let s: Synthesized;
  beforeAll(() => (s = synthEnv("dev")));
  afterAll(() => s.cleanup());

  test("is current (run `npm run diagram` after changing the stacks)", () => {
    const expected = architectureDoc(new SynthesizedApp(s.outdir), "dev");
    expect(readFileSync(path.resolve(__dirname, "../../docs/architecture.md"), "utf8")).toBe(expected);
  });

  test("groups resources by stack and draws the cross-stack edges, the trigger and the routes", () => {
    const doc = architectureDoc(new SynthesizedApp(s.outdir), "dev");
    for (const stack of ["ddn-dev-storage", "ddn-dev-iam", "ddn-dev-compute", "ddn-dev-api"]) expect(doc).toContain(`["${stack}"]`);
    expect(doc).toMatch(/aws_s3_bucket_in_bucket -- "s3:ObjectCreated:\*" --> ddn_dev_compute_aws_lambda_function_process_function/);
    expect(doc).toMatch(/lambda_function_presign_function_\w+ -- "role" --> ddn_dev_iam_aws_iam_role_presign_role/);
    expect(doc).toMatch(/aws_api_gateway_method_presign_get -- "proxy" --> ddn_dev_compute_aws_lambda_function_presign_function/);
    expect(doc).toMatch(/aws_api_gateway_method_files_key_path_get -\. "auth" \.-> ddn_dev_api_aws_api_gateway_authorizer_jwt_authorizer/);
    expect(doc).toContain('[/"GET /files/{key+}"/]');
  });
});
