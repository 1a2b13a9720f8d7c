import { App } from "cdktf";
import { environmentNames, loadConfig } from "../../config";
import { loadBootstrapConfig, STATE_REGION } from "../../config/bootstrap";
import { evaluate } from "../../policy/engine";
import { apiGatewayLogsRoleName, ACCOUNT_ROLE_PATH, permissionsBoundaryName } from "../../config/bootstrap";
import { collectSuppressions } from "../../policy/suppressions";
import type { TfJson } from "../../policy/types";
import { BOOTSTRAP_GATE_OPTIONS, BootstrapStack } from "../../stacks/bootstrap-stack";

function synth(repo = "acme/files") {
  const app = new App({ outdir: "/nonexistent-never-written", skipValidation: true });
  const stack = new BootstrapStack(app, "ddn-bootstrap", loadBootstrapConfig({ DDN_GITHUB_REPOSITORY: repo }));
  return { stack, json: stack.toTerraform() as TfJson & { terraform: any; output: any; provider: any } };
}
const trust = (role: any) => JSON.parse(role.assume_role_policy).Statement[0];

describe("bootstrap stack", () => {
  const { stack, json } = synth();
  const r = json.resource as Record<string, Record<string, any>>;

  test("keeps its own state local (it creates the remote state bucket)", () => {
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.ddn-bootstrap.tfstate" } });
  });

  test("state bucket: versioned, encrypted, TLS-only, public access blocked, never force-destroyed", () => {
    expect(r.aws_s3_bucket!["state-bucket"]).toMatchObject({ bucket: `ddn-tfstate-\${data.aws_caller_identity.account.account_id}-${STATE_REGION}`, force_destroy: false });
    expect(r.aws_s3_bucket_versioning!["state-bucket-versioning"].versioning_configuration.status).toBe("Enabled");
    expect(r.aws_s3_bucket_server_side_encryption_configuration!["state-bucket-encryption"]).toBeDefined();
    expect(r.aws_s3_bucket_public_access_block!["state-bucket-public-access-block"]).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(r.aws_s3_bucket_policy!["state-bucket-policy"].policy).toContain('"aws:SecureTransport":false');
  });

  test("GitHub OIDC provider for sts.amazonaws.com", () => {
    expect(r.aws_iam_openid_connect_provider!["github-oidc"]).toMatchObject({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] });
  });

  test("deploy roles trust only this repository's GitHub environment of the same name", () => {
    for (const env of environmentNames()) {
      const t = trust(r.aws_iam_role![`deploy-role-${env}`]);
      expect(t.Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(t.Condition.StringEquals).toEqual({ "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": `repo:acme/files:environment:${env}` });
    }
  });

  test("the plan role trusts pull requests of this repository and may write only lock files", () => {
    expect(trust(r.aws_iam_role!["plan-role"]).Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe("repo:acme/files:pull_request");
    const writes = JSON.parse(r.aws_iam_role_policy!["plan-role-state"].policy).Statement.find((s: any) => s.Sid === "Lock");
    expect(writes.Resource).toMatch(/\/ddn\/\*\.tflock$/);
    expect(r.aws_iam_role_policy_attachment!["plan-role-read-only"].policy_arn).toMatch(/:iam::aws:policy\/ReadOnlyAccess$/);
  });

  const deployStatements = (env: string) => JSON.parse(r.aws_iam_role_policy![`deploy-role-${env}-policy`].policy).Statement as any[];

  test.each(environmentNames())("the %s deploy role reaches only its environment's resources, in its region, and its state", (env) => {
    const { region, app, api } = loadConfig(env);
    // Actions AWS cannot scope, and the Deny that applies everywhere.
    const everywhere = new Set(["DescribeLogs", "ListRoles", "DescribeParameters", "NoEscalation", "CreateKeys", "ListAliases"]);
    for (const s of deployStatements(env)) {
      for (const res of [s.Resource].flat().map(String)) {
        if (everywhere.has(s.Sid)) expect(res).toBe("*");
        else if (s.Sid === "ApiGateway") expect(res).toContain(`:apigateway:${region}::`);
        else if (s.Sid === "NotItself") expect(res).toMatch(new RegExp(`:role/${app}-github-deploy-${env}$`));
        else if (s.Sid === "Parameters") expect(res).toMatch(new RegExp(`:ssm:${region}:.*:parameter${api.auth.jwtSecretParam}$`));
        else if (s.Sid === "Keys") expect(s.Condition).toEqual({ StringEquals: { "aws:ResourceTag/environment": env } });
        else if (res.includes("API-Gateway-Execution-Logs_")) expect(res).toMatch(new RegExp(`:logs:${region}:.*:log-group:API-Gateway-Execution-Logs_\\*$`));
        else expect(res).toMatch(new RegExp(`ddn-${env}-|^\\$\\{aws_s3_bucket\\.state-bucket\\.arn\\}(/ddn/${env}/\\*)?$`));
        if (/:(dynamodb|sqs|lambda|logs|ssm|sns|cloudwatch|kms):/.test(res)) expect(res).toContain(`:${region}:`);
      }
    }
  });

  test.each(environmentNames())("the %s deploy role cannot escalate: boundary required and kept, the boundary and itself out of reach, PassRole to Lambda only, no service:*", (env) => {
    const boundary = `\${aws_iam_policy.permissions-boundary-${env}.arn}`;
    const statements = deployStatements(env);
    const roleWrites = statements.filter((s) => s.Effect === "Allow" && [s.Action].flat().some((a: string) => /^iam:(CreateRole|PutRolePolicy|PutRolePermissionsBoundary|UpdateAssumeRolePolicy|DeleteRolePolicy)$/.test(a)));
    expect(roleWrites.map((s) => s.Condition)).toEqual(roleWrites.map(() => ({ StringEquals: { "iam:PermissionsBoundary": boundary } })));
    expect(statements.find((s) => s.Sid === "PassRolesToLambda")).toMatchObject({ Action: "iam:PassRole", Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } });
    expect(statements.find((s) => s.Sid === "NoEscalation")).toMatchObject({ Effect: "Deny", Action: expect.arrayContaining(["iam:DeleteRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]) });
    expect(statements.find((s) => s.Sid === "NotItself")?.Effect).toBe("Deny");
    for (const s of statements.filter((x) => x.Effect === "Allow")) for (const a of [s.Action].flat()) expect(a).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
    expect(r.aws_iam_policy![`permissions-boundary-${env}`].name).toBe(permissionsBoundaryName("ddn", env));
    const ceiling = JSON.parse(r.aws_iam_policy![`permissions-boundary-${env}`].policy).Statement as any[];
    expect(ceiling.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith("iam:"))).toEqual([]);
  });

  test("an insecure copy of a deploy role (role writes without the boundary condition) is a violation (IAM.5)", () => {
    const loose = JSON.parse(JSON.stringify(json));
    const p = loose.resource.aws_iam_role_policy["deploy-role-dev-policy"];
    const doc = JSON.parse(p.policy);
    delete doc.Statement.find((s: any) => s.Sid === "PipelineRoles").Condition;
    p.policy = JSON.stringify(doc);
    const v = evaluate(loose, BOOTSTRAP_GATE_OPTIONS, collectSuppressions(stack)).violations;
    expect(v.map((x) => `${x.ruleId} ${x.address}`)).toContain("IAM.5 aws_iam_role_policy.deploy-role-dev-policy");
  });

  test("API Gateway's account setting in every environment's region, each with its own provider and logs role", () => {
    for (const region of new Set(environmentNames().map((e) => loadConfig(e).region))) {
      expect(json.provider.aws).toContainEqual(expect.objectContaining({ alias: region, region }));
      expect(r.aws_iam_role![`apigateway-logs-role-${region}`]).toMatchObject({ name: apiGatewayLogsRoleName("ddn", region), path: ACCOUNT_ROLE_PATH });
      expect(trust(r.aws_iam_role![`apigateway-logs-role-${region}`]).Principal).toEqual({ Service: "apigateway.amazonaws.com" });
      expect(r.aws_api_gateway_account![`apigateway-account-${region}`]).toMatchObject({ provider: `aws.${region}`, cloudwatch_role_arn: `\${aws_iam_role.apigateway-logs-role-${region}.arn}` });
    }
  });

  test("every environment's region is covered, whatever region the state lives in", () => {
    const other = loadBootstrapConfig({});
    expect(other.environments.map(({ name, region }) => ({ name, region }))).toEqual(environmentNames().map((name) => ({ name, region: loadConfig(name).region })));
    expect(other.region).toBe(STATE_REGION);
  });

  test("the policy gate passes, with the deploy roles' service-wide actions as listed, reasoned exceptions", () => {
    const suppressions = collectSuppressions(stack);
    const result = evaluate(json, BOOTSTRAP_GATE_OPTIONS, suppressions);
    expect(result.violations).toEqual([]);
    expect(result.suppressed.map((s) => `${s.ruleId} ${s.address}`).sort()).toEqual(environmentNames().map((env) => `IAM.1 aws_iam_role_policy.deploy-role-${env}-policy`).sort());
  });

  test("outputs what the GitHub repository needs as variables", () => {
    expect(Object.keys(json.output).sort()).toEqual([...environmentNames().map((env) => `deploy-role-arn-${env}`), "plan-role-arn", "state-bucket-name"].sort());
  });

  test("a malformed repository name is refused", () => {
    expect(() => loadBootstrapConfig({ DDN_GITHUB_REPOSITORY: "not a repo" })).toThrow('DDN_GITHUB_REPOSITORY must be "owner/name"');
  });

  test("a GitHub OIDC trust without a pinned subject is a violation (IAM.4)", () => {
    const loose = JSON.parse(JSON.stringify(json));
    const role = loose.resource.aws_iam_role["plan-role"];
    const doc = JSON.parse(role.assume_role_policy);
    doc.Statement[0].Condition = { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } };
    role.assume_role_policy = JSON.stringify(doc);
    const v = evaluate(loose, BOOTSTRAP_GATE_OPTIONS, collectSuppressions(stack)).violations;
    expect(v.map((x) => `${x.ruleId} ${x.address}`)).toContain("IAM.4 aws_iam_role.plan-role");
  });
});
