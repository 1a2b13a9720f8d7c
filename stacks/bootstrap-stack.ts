import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { bootstrapNames, GITHUB_OIDC_HOST, BOUNDARY_REVISION_TAG, permissionsBoundaryName, type BootstrapConfig } from "../config/bootstrap";
import { addApiGatewayAccountSettings } from "../constructs/account-settings";
import { addGeneratedSecret } from "../constructs/generated-secret";
import { BOUNDARY_REVISION, boundaryStatements, deployRoleStatements } from "../constructs/deploy-role-policy";
import { PARAMETER_READS } from "../constructs/parameter-decryption";
import { addHardenedBucket } from "../constructs/hardened-bucket";
import { PolicyGate } from "../policy/gate";
import { NO_API_GATE_OPTIONS } from "../policy/gate-options";
import { suppressPolicy } from "../policy/suppressions";
import type { GateOptions } from "../policy/types";
import { policyDocument } from "../constructs/policy-document";


/**
 * What ReadOnlyAccess grants that no Terraform refresh of the environments' stacks calls: the pipeline's data
 * (objects, items, queued events, log lines) and parameter values (SecureStrings decrypt through SSM for any
 * principal of the account: the authorizer's signing secret). Pitfall: a pull request's workflow is the pull
 * request's own code, so anyone who can push a branch acts as the plan role; without this Deny that is a read of
 * every user's files in the account, and a key to sign any user's tokens.
 */
export const PLAN_ROLE_DENIED_READS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:PartiQLSelect",
  "dynamodb:GetRecords",
  "sqs:ReceiveMessage",
  "logs:GetLogEvents",
  "logs:FilterLogEvents",
  "logs:StartQuery",
  "logs:GetLogRecord",
  "logs:StartLiveTail",
  ...PARAMETER_READS,
] as const;

/** API Gateway assumes the account settings' logs roles; nothing else here is assumable by a service. */
export const BOOTSTRAP_GATE_OPTIONS: GateOptions = { ...NO_API_GATE_OPTIONS, trustedServices: ["apigateway.amazonaws.com"] };

/**
 * What the CI deploy needs once per account, applied by hand with local state: the Terraform state bucket, the
 * GitHub OIDC provider, a plan role for pull requests, a deploy role per environment (each trusted only by this
 * repository and, for deploys, its GitHub environment of the same name, and unable to escalate: see
 * constructs/deploy-role-policy.ts), and API Gateway's account setting in every environment's region.
 */
export class BootstrapStack extends TerraformStack {
  readonly policyGate: PolicyGate;

  constructor(scope: Construct, id: string, c: BootstrapConfig) {
    super(scope, id);
    // Every provider refuses credentials of another account than the one this bootstrap is for.
    const provider = (id: string, region: string, alias?: string) =>
      new AwsProvider(this, id, { region, alias, allowedAccountIds: c.account ? [c.account] : undefined, defaultTags: [{ tags: { ...c.tags } }] });
    provider("aws", c.region);
    // Local state on purpose: this stack creates the bucket remote state would live in. One file per account.
    new LocalBackend(this, { path: `../../../terraform.${id}${c.account ? `.${c.account}` : ""}.tfstate` });
    // Applied by hand with whatever Terraform is installed: generated secrets are write-only arguments (1.11).
    this.addOverride("terraform.required_version", ">= 1.11");
    this.policyGate = new PolicyGate(this, BOOTSTRAP_GATE_OPTIONS);
    this.node.addValidation(this.policyGate);

    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const { partition, dnsSuffix } = new DataAwsPartition(this, "partition");
    const names = bootstrapNames(c.app);

    const state = addHardenedBucket(this, "state-bucket", {
      bucket: names.stateBucket(account),
      forceDestroy: false,
      lifecycle: [
        { id: "expire-old-state-versions", status: "Enabled", filter: [{ prefix: "" }], noncurrentVersionExpiration: [{ noncurrentDays: 90 }] },
        { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: [{ prefix: "" }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }] },
      ],
    });

    const oidc = new IamOpenidConnectProvider(this, "github-oidc", { url: `https://${GITHUB_OIDC_HOST}`, clientIdList: ["sts.amazonaws.com"] });
    const trust = (subject: string) =>
      policyDocument([
        {
          Effect: "Allow",
          Principal: { Federated: oidc.arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com", [`${GITHUB_OIDC_HOST}:sub`]: subject } },
        },
      ]);

    // Plan role: read everything Terraform refreshes, read state, write only the S3 lock files, read no data.
    const plan = new IamRole(this, "plan-role", {
      name: names.planRole,
      description: "cdktf diff from pull requests (read-only)",
      assumeRolePolicy: trust(`repo:${c.githubRepository}:pull_request`),
      maxSessionDuration: 3600,
    });
    const stateObjects = `${state.arn}/${c.app}/*`;
    new IamRolePolicyAttachment(this, "plan-role-read-only", { role: plan.name, policyArn: `arn:${partition}:iam::aws:policy/ReadOnlyAccess` });
    new IamRolePolicy(this, "plan-role-state", {
      role: plan.id,
      name: "state-read-lock-write",
      policy: policyDocument([
        { Sid: "ListState", Effect: "Allow", Action: "s3:ListBucket", Resource: state.arn },
        { Sid: "ReadState", Effect: "Allow", Action: "s3:GetObject", Resource: stateObjects },
        { Sid: "Lock", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${state.arn}/${c.app}/*.tflock` },
      ]),
    });
    new IamRolePolicy(this, "plan-role-no-data-reads", {
      role: plan.id,
      name: "no-data-reads",
      // Everywhere but the state (and its lock files), which the plan reads.
      policy: policyDocument([{ Sid: "NoDataReads", Effect: "Deny", Action: [...PLAN_ROLE_DENIED_READS], NotResource: stateObjects }]),
    });
    new TerraformOutput(this, "plan-role-arn", { value: plan.arn, description: "GitHub variable AWS_PLAN_ROLE_ARN" });

    // One provider per environment region.
    const regional = new Map([...new Set(c.environments.map((e) => e.region))].sort().map((region) => [region, provider(`aws-${region}`, region, region)] as const));
    // Account- and region-wide settings: once per account and region, here, never in an environment's stacks.
    for (const [region, provider] of regional) addApiGatewayAccountSettings(this, { app: c.app, region, partition, account, provider });

    for (const { name: env, region, generatedSecrets } of c.environments) {
      // Here, not in the environment's stacks: their plans run as the plan role, which reads no secret (see above).
      for (const secret of generatedSecrets) addGeneratedSecret(this, `generated-secret${secret.name.replaceAll("/", "-")}`, { ...secret, provider: regional.get(region)! });
      const boundary = new IamPolicy(this, `permissions-boundary-${env}`, {
        name: permissionsBoundaryName(c.app, env),
        description: `Ceiling of every role the ${env} deploy creates: the ${env} pipeline's resources, no IAM`,
        policy: policyDocument(boundaryStatements({ app: c.app, env, region, partition, account, dnsSuffix })),
        tags: { [BOUNDARY_REVISION_TAG]: String(BOUNDARY_REVISION) },
      });
      const roleName = names.deployRole(env);
      const role = new IamRole(this, `deploy-role-${env}`, {
        name: roleName,
        description: `cdktf deploy of the ${env} environment from the GitHub environment "${env}"`,
        assumeRolePolicy: trust(`repo:${c.githubRepository}:environment:${env}`),
        maxSessionDuration: 3600,
      });
      const policy = new IamRolePolicy(this, `deploy-role-${env}-policy`, {
        role: role.id,
        name: `deploy-${c.app}-${env}`,
        policy: policyDocument(
          deployRoleStatements({
            app: c.app,
            env,
            region,
            partition,
            account,
            stateBucketArn: state.arn,
            boundaryArn: boundary.arn,
            deployRoleArn: `arn:${partition}:iam::${account}:role/${roleName}`,
          }),
        ),
      });
      suppressPolicy(
        policy,
        "IAM.1",
        `The ${env} deploy refreshes every resource type of its pipeline: read-only Get*/List*/Describe* families for what Terraform reads (dozens of calls per type, growing with the provider); every write action is named, every resource is scoped to the ${c.app}-${env}-* prefix, and IAM.5 checks it cannot escalate.`,
      );
      new TerraformOutput(this, `deploy-role-arn-${env}`, { value: role.arn, description: `GitHub environment "${env}" variable AWS_DEPLOY_ROLE_ARN` });
    }
    new TerraformOutput(this, "state-bucket-name", { value: state.bucket, description: "GitHub variable TF_STATE_BUCKET" });
  }
}
