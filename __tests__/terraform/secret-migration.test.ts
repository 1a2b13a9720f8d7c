import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { planChain, type ChainResult } from "../../plan/plan-chain";
import { ENVIRONMENTS, expected, synthEnv } from "../stacks/synth";
import { eachTerraformRun } from "../../plan/terraform-setup";
import { skipReason, terraformScratch } from "./terraform";

// The HS256 signing secret moved from each environment's storage stack to the bootstrap. An environment deployed
// before holds it in its storage state: the next plan must forget it (never destroy it: the authorizer reads it),
// without reading it (the plan role may not, and the offline stand-in refuses SSM as the plan role's Deny does).
const skip = skipReason("secret-migration.test.ts");
const maybe = skip ? describe.skip : describe;

/** The storage state of an environment as the previous version left it: the generated secret, value included. */
function previousState(parameter: string, terraformVersion: string): string {
  const state = {
    version: 4,
    terraform_version: terraformVersion,
    serial: 1,
    lineage: "00000000-0000-4000-8000-000000000001",
    outputs: {},
    resources: [
      {
        mode: "managed",
        type: "aws_ssm_parameter",
        name: "jwt-secret",
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [{ schema_version: 0, attributes: { id: parameter, name: parameter, type: "SecureString", value: "the-old-secret" }, sensitive_attributes: [] }],
      },
    ],
  };
  return JSON.stringify(state);
}

maybe("the signing secret leaves the storage stack's state, and stays in the account", () => {
  const results = new Map<string, ChainResult>();
  let scratch: Awaited<ReturnType<typeof terraformScratch>>;

  beforeAll(async () => {
    scratch = await terraformScratch();
    const each = async (env: string) => {
      const { config, names } = expected(env);
      const stack = names.stack("storage");
      const workDir = path.join(scratch.work, env);
      mkdirSync(workDir);
      // Where planChain keeps an offline stack's state; any environment may have had the secret (prod too, had it HS256).
      const parameter = config.api.auth.jwtSecretParam ?? `/${config.app}/${env}/jwt-secret`;
      writeFileSync(path.join(workDir, `${stack}.tfstate`), previousState(parameter, scratch.setup.terraformVersion));
      results.set(env, await planChain({ outdir: synthEnv(env).outdir, stacks: [stack], workDir, setup: scratch.setup, cliConfigFile: scratch.cliConfigFile, offline: { awsEndpoint: scratch.awsEndpoint }, json: "all" }));
    };
    await eachTerraformRun(scratch.setup.source, ENVIRONMENTS, each);
  }, 600_000);
  afterAll(async () => {
    await scratch?.stop();
  });

  test.each(ENVIRONMENTS)("%s: the plan forgets the parameter (no destroy, no read) and says so", (env) => {
    const [p] = results.get(env)!.plans;
    const changes = (JSON.parse(p!.json!).resource_changes as Array<{ address: string; change: { actions: string[] } }>).filter((c) => c.change.actions.join() !== "create");
    expect(changes.map((c) => ({ address: c.address, actions: c.change.actions }))).toEqual([{ address: "aws_ssm_parameter.jwt-secret", actions: ["forget"] }]);
    expect(p!.counts.delete).toBe(0);
    expect(p!.text).toMatch(/# aws_ssm_parameter\.jwt-secret will no longer be managed by Terraform, but will not be destroyed/);
    expect(p!.warnings).toEqual(["Some objects will no longer be managed by Terraform"]);
  });
});
