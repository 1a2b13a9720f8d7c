import { App } from "cdktf";
import { environmentNames, loadConfig } from "../../config";
import { bootstrapAccounts, describeAccount, loadBootstrapConfig, planTarget, STATE_REGION } from "../../config/bootstrap";
import { evaluate } from "../../policy/engine";
import { apiGatewayLogsRoleName, ACCOUNT_ROLE_PATH, BOUNDARY_REVISION_TAG, permissionsBoundaryName } from "../../config/bootstrap";
import { BOUNDARY_FINGERPRINT, BOUNDARY_REVISION, boundaryFingerprint } from "../../constructs/deploy-role-policy";
import { collectSuppressions } from "../../policy/suppressions";
import type { TfJson } from "../../policy/types";
import { BOOTSTRAP_GATE_OPTIONS, BootstrapStack, PLAN_ROLE_DENIED_READS } from "../../stacks/bootstrap-stack";
import { ENVIRONMENTS, synthEnv } from "../stacks/synth";

/** The bootstrap of `account` (undefined: the environments that name none), as DDN_BOOTSTRAP_ACCOUNT selects it. */
function synth(account: string | undefined, repo = "acme/files") {
  const app = new App({ outdir: "/nonexistent-never-written", skipValidation: true });
  const config = loadBootstrapConfig({ DDN_GITHUB_REPOSITORY: repo, ...(account ? { DDN_BOOTSTRAP_ACCOUNT: account } : {}) });
  const stack = new BootstrapStack(app, "ddn-bootstrap", config);
  const json = stack.toTerraform() as TfJson & { terraform: any; output: any; provider: any };
  return { account, config, stack, json, r: json.resource as Record<string, Record<string, any>> };
}
const trust = (role: any) => JSON.parse(role.assume_role_policy).Statement[0];
/** The environments a bootstrap must hold: exactly those that name its account. */
const environmentsIn = (account: string | undefined) => environmentNames().filter((env) => loadConfig(env).account === account);

describe.each(bootstrapAccounts().map((account) => [describeAccount(account), synth(account)] as const))("bootstrap stack of %s", (_, { account, stack, json, r }) => {
  const environments = environmentsIn(account);

  test("holds exactly the environments that name its account, and refuses credentials of another account", () => {
    expect(environments.length).toBeGreaterThan(0);
    expect(Object.keys(r.aws_iam_role!).filter((k) => k.startsWith("deploy-role-")).sort()).toEqual(environments.map((env) => `deploy-role-${env}`).sort());
    const providers = [json.provider.aws].flat();
    expect(providers.length).toBe(1 + new Set(environments.map((env) => loadConfig(env).region)).size);
    for (const provider of providers) expect(provider.allowed_account_ids).toEqual(account ? [account] : undefined);
  });

  test("keeps its own state local (it creates the remote state bucket), one file per account", () => {
    expect(json.terraform.backend).toEqual({ local: { path: `../../../terraform.ddn-bootstrap${account ? `.${account}` : ""}.tfstate` } });
  });

  test("state bucket: versioned, encrypted, TLS-only, public access blocked, never force-destroyed", () => {
    // The name CI derives for an account (bootstrapNames), pinned: a new form would orphan every existing state bucket.
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
    for (const env of environments) {
      const t = trust(r.aws_iam_role![`deploy-role-${env}`]);
      expect(t.Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(t.Condition.StringEquals).toEqual({ "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": `repo:acme/files:environment:${env}` });
    }
  });

  test("the plan role trusts pull requests of this repository and may write only lock files", () => {
    expect(r.aws_iam_role!["plan-role"].name).toBe("ddn-github-plan");
    expect(trust(r.aws_iam_role!["plan-role"]).Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe("repo:acme/files:pull_request");
    const writes = JSON.parse(r.aws_iam_role_policy!["plan-role-state"].policy).Statement.find((s: any) => s.Sid === "Lock");
    expect(writes.Resource).toMatch(/\/ddn\/\*\.tflock$/);
    expect(r.aws_iam_role_policy_attachment!["plan-role-read-only"].policy_arn).toMatch(/:iam::aws:policy\/ReadOnlyAccess$/);
  });

  test("the plan role reads no data: objects, items, queued events, log lines and parameter values are denied everywhere but its state", () => {
    const allowed = JSON.parse(r.aws_iam_role_policy!["plan-role-state"].policy).Statement.find((x: any) => x.Sid === "ReadState");
    const [deny] = JSON.parse(r.aws_iam_role_policy!["plan-role-no-data-reads"].policy).Statement;
    expect(deny).toEqual({ Sid: "NoDataReads", Effect: "Deny", Action: [...PLAN_ROLE_DENIED_READS], NotResource: allowed.Resource });
    expect(deny.Action).toEqual(
      expect.arrayContaining(["s3:GetObject", "dynamodb:Scan", "dynamodb:Query", "sqs:ReceiveMessage", "logs:GetLogEvents", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"]),
    );
    expect(r.aws_iam_role_policy!["plan-role-no-data-reads"].role).toBe("${aws_iam_role.plan-role.id}");
  });

  test("each HS256 environment's signing secret: generated in the environment's region when applied, written once, never in a plan or state", () => {
    const secrets = environments.flatMap((env) => {
      const { region, api } = loadConfig(env);
      return api.auth.enabled && api.auth.jwtSecretParam ? [{ name: api.auth.jwtSecretParam, region }] : [];
    });
    const params = Object.values(r.aws_ssm_parameter ?? {});
    expect(params.map((p) => p.name).sort()).toEqual(secrets.map((s) => s.name).sort());
    for (const { name, region } of secrets) {
      const p = params.find((x) => x.name === name);
      expect(p).toMatchObject({ type: "SecureString", provider: `aws.${region}`, value_wo: '${join("", [uuid(), uuid(), uuid()])}', value_wo_version: 1, overwrite: true });
      // Write-only (value_wo), never `value`: a value argument would be kept in the state.
      expect(p).not.toHaveProperty("value");
      expect(p).not.toHaveProperty("lifecycle");
    }
    // Write-only arguments need Terraform 1.11; an older one stops with a version error, not a provider's.
    expect(json.terraform.required_version).toBe(">= 1.11");
  });

  const deployStatements = (env: string) => JSON.parse(r.aws_iam_role_policy![`deploy-role-${env}-policy`].policy).Statement as any[];

  test.each(environments)("the %s deploy role reaches only its environment's resources, in its region, and its state", (env) => {
    const { region, app } = loadConfig(env);
    // Actions AWS cannot scope, and the Deny that applies everywhere.
    const everywhere = new Set(["DescribeLogs", "ListRoles", "NoEscalation", "CreateKeys", "ListAliases"]);
    for (const s of deployStatements(env)) {
      for (const res of [s.Resource].flat().map(String)) {
        if (everywhere.has(s.Sid)) expect(res).toBe("*");
        else if (s.Sid === "ApiGateway") expect(res).toContain(`:apigateway:${region}::`);
        else if (s.Sid === "NotItself") expect(res).toMatch(new RegExp(`:role/${app}-github-deploy-${env}$`));
        else if (s.Sid === "ReadBoundary") expect([res, s.Action]).toEqual([`\${aws_iam_policy.permissions-boundary-${env}.arn}`, ["iam:GetPolicy", "iam:GetPolicyVersion"]]);
        else if (s.Sid === "Keys") expect(s.Condition).toEqual({ StringEquals: { "aws:ResourceTag/environment": env } });
        else if (res.includes("API-Gateway-Execution-Logs_")) expect(res).toMatch(new RegExp(`:logs:${region}:.*:log-group:API-Gateway-Execution-Logs_\\*$`));
        else expect(res).toMatch(new RegExp(`ddn-${env}-|^\\$\\{aws_s3_bucket\\.state-bucket\\.arn\\}(/ddn/${env}/\\*)?$`));
        if (/:(dynamodb|sqs|lambda|logs|sns|cloudwatch|kms):/.test(res)) expect(res).toContain(`:${region}:`);
      }
    }
    // The bootstrap creates the environment's secrets: its deploy neither writes nor reads a parameter.
    expect(deployStatements(env).flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith("ssm:"))).toEqual([]);
  });

  test.each(environments)("the %s deploy role cannot escalate: boundary required and kept, the boundary and itself out of reach, PassRole to Lambda only, no service:*", (env) => {
    const boundary = `\${aws_iam_policy.permissions-boundary-${env}.arn}`;
    const statements = deployStatements(env);
    const roleWrites = statements.filter((s) => s.Effect === "Allow" && [s.Action].flat().some((a: string) => /^iam:(CreateRole|PutRolePolicy|PutRolePermissionsBoundary|UpdateAssumeRolePolicy|DeleteRolePolicy)$/.test(a)));
    expect(roleWrites.map((s) => s.Condition)).toEqual(roleWrites.map(() => ({ StringEquals: { "iam:PermissionsBoundary": boundary } })));
    expect(statements.find((s) => s.Sid === "PassRolesToLambda")).toMatchObject({ Action: "iam:PassRole", Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } });
    expect(statements.find((s) => s.Sid === "NoEscalation")).toMatchObject({ Effect: "Deny", Action: expect.arrayContaining(["iam:DeleteRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]) });
    expect(statements.find((s) => s.Sid === "NotItself")?.Effect).toBe("Deny");
    for (const s of statements.filter((x) => x.Effect === "Allow")) for (const a of [s.Action].flat()) expect(a).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
    expect(r.aws_iam_policy![`permissions-boundary-${env}`]).toMatchObject({ name: permissionsBoundaryName("ddn", env), tags: { [BOUNDARY_REVISION_TAG]: String(BOUNDARY_REVISION) } });
    const ceiling = JSON.parse(r.aws_iam_policy![`permissions-boundary-${env}`].policy).Statement as any[];
    expect(ceiling.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith("iam:"))).toEqual([]);
  });

  test("an insecure copy of a deploy role (role writes without the boundary condition) is a violation (IAM.5)", () => {
    const loose = JSON.parse(JSON.stringify(json));
    const env = environments[0]!;
    const p = loose.resource.aws_iam_role_policy[`deploy-role-${env}-policy`];
    const doc = JSON.parse(p.policy);
    delete doc.Statement.find((s: any) => s.Sid === "PipelineRoles").Condition;
    p.policy = JSON.stringify(doc);
    const v = evaluate(loose, BOOTSTRAP_GATE_OPTIONS, collectSuppressions(stack)).violations;
    expect(v.map((x) => `${x.ruleId} ${x.address}`)).toContain(`IAM.5 aws_iam_role_policy.deploy-role-${env}-policy`);
  });

  test("API Gateway's account setting in each of its environments' regions, each with its own provider and logs role", () => {
    const regions = new Set(environments.map((e) => loadConfig(e).region));
    expect(Object.keys(r.aws_api_gateway_account!).sort()).toEqual([...regions].map((region) => `apigateway-account-${region}`).sort());
    for (const region of regions) {
      expect(json.provider.aws).toContainEqual(expect.objectContaining({ alias: region, region }));
      expect(r.aws_iam_role![`apigateway-logs-role-${region}`]).toMatchObject({ name: apiGatewayLogsRoleName("ddn", region), path: ACCOUNT_ROLE_PATH });
      expect(trust(r.aws_iam_role![`apigateway-logs-role-${region}`]).Principal).toEqual({ Service: "apigateway.amazonaws.com" });
      expect(r.aws_api_gateway_account![`apigateway-account-${region}`]).toMatchObject({ provider: `aws.${region}`, cloudwatch_role_arn: `\${aws_iam_role.apigateway-logs-role-${region}.arn}` });
    }
  });

  test("the policy gate passes, with the deploy roles' service-wide actions as listed, reasoned exceptions", () => {
    const suppressions = collectSuppressions(stack);
    const result = evaluate(json, BOOTSTRAP_GATE_OPTIONS, suppressions);
    expect(result.violations).toEqual([]);
    expect(result.suppressed.map((s) => `${s.ruleId} ${s.address}`).sort()).toEqual(environments.map((env) => `IAM.1 aws_iam_role_policy.deploy-role-${env}-policy`).sort());
  });

  test("outputs what the GitHub repository needs as variables", () => {
    expect(Object.keys(json.output).sort()).toEqual([...environments.map((env) => `deploy-role-arn-${env}`), "plan-role-arn", "state-bucket-name"].sort());
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

describe("bootstrap configuration", () => {
  test("every environment is in exactly one account's bootstrap, with its region; the state lives in STATE_REGION", () => {
    const bootstraps = bootstrapAccounts().map((account) => loadBootstrapConfig(account ? { DDN_BOOTSTRAP_ACCOUNT: account } : {}));
    expect(bootstraps.flatMap((b) => b.environments.map(({ name, region }) => ({ name, region }))).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      environmentNames().map((name) => ({ name, region: loadConfig(name).region })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    for (const b of bootstraps) expect(b.region).toBe(STATE_REGION);
  });

  test("a malformed repository name is refused", () => {
    expect(() => loadBootstrapConfig({ DDN_GITHUB_REPOSITORY: "not a repo" })).toThrow('DDN_GITHUB_REPOSITORY must be "owner/name"');
  });

  test("DDN_BOOTSTRAP_ACCOUNT: a malformed account is refused; one that no environment names is refused, naming the bootstraps there are", () => {
    expect(() => loadBootstrapConfig({ DDN_BOOTSTRAP_ACCOUNT: "12345" })).toThrow('DDN_BOOTSTRAP_ACCOUNT must be a 12-digit AWS account id (got "12345")');
    const unknown = "999999999999";
    expect(environmentNames().some((env) => loadConfig(env).account === unknown)).toBe(false);
    const expected = bootstrapAccounts().map((a) => `${a ? `DDN_BOOTSTRAP_ACCOUNT=${a} ` : ""}npm run bootstrap:synth`).join("; ");
    expect(() => loadBootstrapConfig({ DDN_BOOTSTRAP_ACCOUNT: unknown })).toThrow(`no environment names account ${unknown} (config/environments.ts); the environments' bootstraps: ${expected}`);
  });
});

describe("where the pull-request workflow plans an environment (planTarget)", () => {
  const base = loadConfig(environmentNames()[0]);

  test("an environment that names its account: that account's plan role and state bucket, as its bootstrap names them", () => {
    // The names the bootstrap stack gives them (its tests pin the same forms).
    const planRole = `${base.app}-github-plan`;
    expect(planTarget({ ...base, account: "210987654321" })).toEqual({ env: base.env, planRole: `arn:aws:iam::210987654321:role/${planRole}`, stateBucket: `${base.app}-tfstate-210987654321-${STATE_REGION}`, skip: "" });
    expect(planTarget({ ...base, account: "210987654321", region: "cn-north-1" }).planRole).toBe(`arn:aws-cn:iam::210987654321:role/${planRole}`);
    expect(planTarget({ ...base, account: "210987654321", region: "us-gov-west-1" }).planRole).toBe(`arn:aws-us-gov:iam::210987654321:role/${planRole}`);
  });

  test.each(environmentNames())("%s: no account named -> the repository's variables; an example account -> not planned against AWS", (env) => {
    const c = loadConfig(env);
    const target = planTarget(c);
    const { account, ...unnamed } = c;
    expect(planTarget(unnamed)).toEqual({ env, planRole: "", stateBucket: "", skip: "" });
    if (account && target.skip) expect(target).toEqual({ env, planRole: "", stateBucket: "", skip: expect.stringContaining(`its account (${account}) is an example value`) });
    else if (account) expect(target.planRole).toContain(`:iam::${account}:role/`);
  });
});

// The plan role's Deny holds only while no refresh reads data: HeadObject needs s3:GetObject, a table item's refresh
// dynamodb:GetItem, a parameter's ssm:GetParameter (with decryption). Adding such a resource (or data source) fails
// here, to revisit PLAN_ROLE_DENIED_READS first.
test.each(ENVIRONMENTS)("%s: no stack has a resource or data source whose refresh reads data the plan role is denied", (env) => {
  const READS_DATA = ["aws_s3_object", "aws_s3_bucket_object", "aws_s3_object_copy", "aws_s3_objects", "aws_dynamodb_table_item", "aws_dynamodb_table_items", "aws_ssm_parameter", "aws_ssm_parameters_by_path"];
  const synthesized = synthEnv(env);
  try {
    for (const [stack, json] of Object.entries(synthesized.stacks)) {
      const types = [...Object.keys(json.resource ?? {}), ...Object.keys((json as { data?: object }).data ?? {})];
      expect({ stack, reading: types.filter((t) => READS_DATA.includes(t)) }).toEqual({ stack, reading: [] });
    }
  } finally {
    synthesized.cleanup();
  }
});

// A boundary change the revision does not count would leave accounts on the old ceiling with nothing to say so: the
// plans refuse only a boundary older than BOUNDARY_REVISION (stacks/iam-stack.ts).
test("the boundary's statements are those its revision counts (BOUNDARY_FINGERPRINT)", () => {
  const now = boundaryFingerprint();
  if (now !== BOUNDARY_FINGERPRINT) {
    throw new Error(
      `boundaryStatements changed: add a line saying what changed to BOUNDARY_CHANGES (revision ${BOUNDARY_REVISION + 1}) and set BOUNDARY_FINGERPRINT to "${now}" (constructs/deploy-role-policy.ts). Each environment's plan then asks for the bootstrap to be applied first.`,
    );
  }
});
