import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GITHUB_OIDC_HOST, type BootstrapConfig } from "../config/bootstrap";
import { addHardenedBucket } from "../constructs/hardened-bucket";
import { NO_API_GATE_OPTIONS, PolicyGate } from "../policy/gate";
import { suppressPolicy } from "../policy/suppressions";
import { policyDocument } from "../constructs/policy-document";


/**
 * What the CI deploy needs once per account, applied by hand with local state: the Terraform state bucket, the
 * GitHub OIDC provider, a plan role for pull requests and a deploy role per environment, each trusted only by
 * this repository (and, for deploys, its GitHub environment of the same name).
 */
export class BootstrapStack extends TerraformStack {
  readonly policyGate: PolicyGate;

  constructor(scope: Construct, id: string, c: BootstrapConfig) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: c.region, defaultTags: [{ tags: { ...c.tags } }] });
    // Local state on purpose: this stack creates the bucket remote state would live in.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    this.policyGate = new PolicyGate(this, NO_API_GATE_OPTIONS);
    this.node.addValidation(this.policyGate);

    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;
    const arn = (service: string, resource: string, region = c.region) => `arn:${partition}:${service}:${region}:${account}:${resource}`;

    const state = addHardenedBucket(this, "state-bucket", {
      bucket: `${c.app}-tfstate-${account}-${c.region}`,
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

    // Plan role: read everything Terraform refreshes, read state, and write only the S3 lock files.
    const plan = new IamRole(this, "plan-role", {
      name: `${c.app}-github-plan`,
      description: "cdktf diff from pull requests (read-only)",
      assumeRolePolicy: trust(`repo:${c.githubRepository}:pull_request`),
      maxSessionDuration: 3600,
    });
    new IamRolePolicyAttachment(this, "plan-role-read-only", { role: plan.name, policyArn: `arn:${partition}:iam::aws:policy/ReadOnlyAccess` });
    new IamRolePolicy(this, "plan-role-state", {
      role: plan.id,
      name: "state-read-lock-write",
      policy: policyDocument([
        { Sid: "ListState", Effect: "Allow", Action: "s3:ListBucket", Resource: state.arn },
        { Sid: "ReadState", Effect: "Allow", Action: "s3:GetObject", Resource: `${state.arn}/${c.app}/*` },
        { Sid: "Lock", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${state.arn}/${c.app}/*.tflock` },
      ]),
    });
    new TerraformOutput(this, "plan-role-arn", { value: plan.arn, description: "GitHub variable AWS_PLAN_ROLE_ARN" });

    for (const { name: env, region } of c.environments) {
      const prefix = `${c.app}-${env}`;
      const envArn = (service: string, resource: string) => arn(service, resource, region);
      const role = new IamRole(this, `deploy-role-${env}`, {
        name: `${c.app}-github-deploy-${env}`,
        description: `cdktf deploy of the ${env} environment from the GitHub environment "${env}"`,
        assumeRolePolicy: trust(`repo:${c.githubRepository}:environment:${env}`),
        maxSessionDuration: 3600,
      });
      const policy = new IamRolePolicy(this, `deploy-role-${env}-policy`, {
        role: role.id,
        name: `deploy-${prefix}`,
        policy: policyDocument([
          { Sid: "State", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${state.arn}/${c.app}/${env}/*` },
          { Sid: "ListState", Effect: "Allow", Action: "s3:ListBucket", Resource: state.arn },
          { Sid: "Buckets", Effect: "Allow", Action: "s3:*", Resource: [`arn:${partition}:s3:::${prefix}-*`, `arn:${partition}:s3:::${prefix}-*/*`] },
          { Sid: "Table", Effect: "Allow", Action: "dynamodb:*", Resource: envArn("dynamodb", `table/${prefix}-*`) },
          { Sid: "Queue", Effect: "Allow", Action: "sqs:*", Resource: envArn("sqs", `${prefix}-*`) },
          { Sid: "Functions", Effect: "Allow", Action: "lambda:*", Resource: envArn("lambda", `function:${prefix}-*`) },
          { Sid: "Roles", Effect: "Allow", Action: "iam:*", Resource: `arn:${partition}:iam::${account}:role/${prefix}-*` },
          { Sid: "Logs", Effect: "Allow", Action: "logs:*", Resource: [envArn("logs", `log-group:/aws/lambda/${prefix}-*`), envArn("logs", `log-group:/aws/apigateway/${prefix}-*`)] },
          { Sid: "DescribeLogs", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
          // REST API ids are generated, so API Gateway can only be scoped to the region's API resources.
          { Sid: "ApiGateway", Effect: "Allow", Action: ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"], Resource: [`arn:${partition}:apigateway:${region}::/restapis`, `arn:${partition}:apigateway:${region}::/restapis/*`, `arn:${partition}:apigateway:${region}::/account`, `arn:${partition}:apigateway:${region}::/tags/*`] },
        ]),
      });
      suppressPolicy(
        policy,
        "IAM.1",
        `The deploy role creates, updates and deletes every resource type of the ${env} pipeline, so its actions are service-wide; every resource is scoped to the ${prefix}-* name prefix (and the ${env} state keys).`,
      );
      new TerraformOutput(this, `deploy-role-arn-${env}`, { value: role.arn, description: `GitHub environment "${env}" variable AWS_DEPLOY_ROLE_ARN` });
    }
    new TerraformOutput(this, "state-bucket-name", { value: state.bucket, description: "GitHub variable TF_STATE_BUCKET" });
  }
}
