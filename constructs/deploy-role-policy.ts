import { createHash } from "node:crypto";
import { parameterDecryption, type DecryptionScope } from "./parameter-decryption";
import type { PolicyStatement } from "./policy-document";

export interface DeployScope {
  readonly app: string;
  readonly env: string;
  readonly region: string;
  readonly partition: string;
  readonly account: string;
  /** The state bucket's ARN and the key prefix the environment's state lives under. */
  readonly stateBucketArn: string;
  /** ARN of the permissions boundary every role the deploy creates must carry. */
  readonly boundaryArn: string;
  /** ARN of the deploy role itself (it may never change itself). */
  readonly deployRoleArn: string;
}

// Read-only families cover what Terraform refreshes (dozens of Get/List/Describe calls per resource type, growing
// with the provider); every write is listed by name.
const READ = (service: string) => [`${service}:Get*`, `${service}:List*`, `${service}:Describe*`];

/**
 * What one environment's CI deploy may do: create, change and delete that environment's resources and nothing else.
 * It cannot escalate: roles it creates or changes must carry the environment's permissions boundary (and keep it),
 * the boundary and its own role are out of reach, and it can pass roles only to Lambda.
 */
export function deployRoleStatements(d: DeployScope): PolicyStatement[] {
  const prefix = `${d.app}-${d.env}`;
  const arn = (service: string, resource: string) => `arn:${d.partition}:${service}:${d.region}:${d.account}:${resource}`;
  const roles = `arn:${d.partition}:iam::${d.account}:role/${prefix}-*`;
  const withBoundary = { StringEquals: { "iam:PermissionsBoundary": d.boundaryArn } };
  return [
    { Sid: "State", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${d.stateBucketArn}/${d.app}/${d.env}/*` },
    { Sid: "ListState", Effect: "Allow", Action: "s3:ListBucket", Resource: d.stateBucketArn },
    {
      Sid: "Buckets",
      Effect: "Allow",
      Action: [
        ...READ("s3").filter((a) => a !== "s3:Describe*"),
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketOwnershipControls",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketVersioning",
        "s3:PutBucketCORS",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketNotification",
        "s3:PutBucketTagging",
        // force_destroy (dev) empties a bucket before deleting it.
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
      ],
      Resource: [`arn:${d.partition}:s3:::${prefix}-*`, `arn:${d.partition}:s3:::${prefix}-*/*`],
    },
    {
      Sid: "Table",
      Effect: "Allow",
      Action: [...READ("dynamodb"), "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:UpdateTable", "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTimeToLive", "dynamodb:TagResource", "dynamodb:UntagResource"],
      Resource: arn("dynamodb", `table/${prefix}-*`),
    },
    {
      Sid: "Queue",
      Effect: "Allow",
      Action: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"],
      Resource: arn("sqs", `${prefix}-*`),
    },
    {
      Sid: "Functions",
      Effect: "Allow",
      Action: [
        ...READ("lambda").filter((a) => a !== "lambda:Describe*"),
        "lambda:CreateFunction",
        "lambda:DeleteFunction",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:PublishVersion",
        "lambda:AddPermission",
        "lambda:RemovePermission",
        "lambda:PutFunctionEventInvokeConfig",
        "lambda:UpdateFunctionEventInvokeConfig",
        "lambda:DeleteFunctionEventInvokeConfig",
        "lambda:TagResource",
        "lambda:UntagResource",
      ],
      Resource: arn("lambda", `function:${prefix}-*`),
    },
    {
      Sid: "PipelineRoles",
      Effect: "Allow",
      Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:DeleteRole"],
      Resource: roles,
      Condition: withBoundary,
    },
    { Sid: "ReadPipelineRoles", Effect: "Allow", Action: ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"], Resource: roles },
    // The plan reads the boundary's revision tag (stacks/iam-stack.ts); the deploy can never change the boundary.
    { Sid: "ReadBoundary", Effect: "Allow", Action: ["iam:GetPolicy", "iam:GetPolicyVersion"], Resource: d.boundaryArn },
    // data.aws_iam_roles (the bootstrap checks of the iam and API stacks) lists roles; ListRoles cannot be scoped.
    { Sid: "ListRoles", Effect: "Allow", Action: "iam:ListRoles", Resource: "*" },
    { Sid: "PassRolesToLambda", Effect: "Allow", Action: "iam:PassRole", Resource: roles, Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } },
    {
      Sid: "NoEscalation",
      Effect: "Deny",
      Action: ["iam:DeleteRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:CreateUser", "iam:CreateAccessKey"],
      Resource: "*",
    },
    {
      Sid: "NotItself",
      Effect: "Deny",
      Action: ["iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRole", "iam:TagRole"],
      Resource: d.deployRoleArn,
    },
    {
      Sid: "Logs",
      Effect: "Allow",
      Action: ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:TagLogGroup", "logs:ListTagsLogGroup"],
      // API Gateway names execution log groups after the generated API id: they can only be scoped to the pattern.
      Resource: [arn("logs", `log-group:/aws/lambda/${prefix}-*`), arn("logs", `log-group:/aws/apigateway/${prefix}-*`), arn("logs", "log-group:API-Gateway-Execution-Logs_*")],
    },
    { Sid: "DescribeLogs", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
    {
      Sid: "AlarmTopic",
      Effect: "Allow",
      Action: ["sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:ListSubscriptionsByTopic", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource"],
      Resource: arn("sns", `${prefix}-*`),
    },
    // The alarm topic's customer managed key. Keys get generated ids, so only their alias can carry the prefix;
    // CreateKey cannot be scoped at all.
    // Keys are reached through the environment tag every resource of the environment carries (provider default tags).
    { Sid: "CreateKeys", Effect: "Allow", Action: "kms:CreateKey", Resource: "*", Condition: { StringEquals: { "aws:RequestTag/environment": d.env } } },
    { Sid: "ListAliases", Effect: "Allow", Action: "kms:ListAliases", Resource: "*" },
    {
      Sid: "Keys",
      Effect: "Allow",
      Action: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:CreateAlias", "kms:DeleteAlias"],
      Resource: arn("kms", "key/*"),
      Condition: { StringEquals: { "aws:ResourceTag/environment": d.env } },
    },
    { Sid: "KeyAliases", Effect: "Allow", Action: ["kms:CreateAlias", "kms:DeleteAlias"], Resource: arn("kms", `alias/${prefix}-*`) },
    {
      Sid: "Alarms",
      Effect: "Allow",
      Action: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"],
      Resource: arn("cloudwatch", `alarm:${prefix}-*`),
    },
    // REST API ids are generated, so API Gateway can only be scoped to the region's API resources.
    {
      Sid: "ApiGateway",
      Effect: "Allow",
      Action: ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"],
      Resource: [`arn:${d.partition}:apigateway:${d.region}::/restapis`, `arn:${d.partition}:apigateway:${d.region}::/restapis/*`, `arn:${d.partition}:apigateway:${d.region}::/tags/*`],
    },
  ];
}

/**
 * Every change of boundaryStatements, oldest first; the count is the boundary's revision. The bootstrap tags each
 * boundary with it and an environment's plan refuses an older one (stacks/iam-stack.ts): a narrower ceiling than its
 * roles were checked against would plan and apply, then fail with AccessDenied at a handler's first call.
 */
export const BOUNDARY_CHANGES = [
  "first release",
  "the environment's objects and items read, written and deleted; parameters decrypted through SSM",
  "the environment's buckets listed, so that a missing object answers 404, not 403",
] as const;
export const BOUNDARY_REVISION = BOUNDARY_CHANGES.length;
/**
 * boundaryFingerprint() of the statements as of the last change: a test fails when they change and this does not,
 * so that a change cannot skip its revision (and the plans' demand to apply the bootstrap first).
 */
export const BOUNDARY_FINGERPRINT = "b3d092c6ff41049f";

/** A digest of boundaryStatements' shape, the same for every environment (its scope replaced by placeholders). */
export function boundaryFingerprint(): string {
  const placeholders = { app: "APP", env: "ENV", region: "REGION", partition: "PARTITION", account: "ACCOUNT", dnsSuffix: "DNS_SUFFIX" };
  return createHash("sha256").update(JSON.stringify(boundaryStatements(placeholders))).digest("hex").slice(0, 16);
}

/**
 * The ceiling of every pipeline role of the environment: reading, writing and deleting its own objects and items,
 * its queues, logs and parameters, and no IAM at all. Every function role must fit inside it (boundary-fit.test.ts):
 * a function needing more widens it here (a new entry in BOUNDARY_CHANGES), and the bootstrap is applied again
 * before the environment is deployed.
 */
export function boundaryStatements(d: Pick<DeployScope, "app" | "env" | "region" | "partition" | "account"> & DecryptionScope): PolicyStatement[] {
  const prefix = `${d.app}-${d.env}`;
  const arn = (service: string, resource: string) => `arn:${d.partition}:${service}:${d.region}:${d.account}:${resource}`;
  return [
    { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: arn("logs", `log-group:/aws/lambda/${prefix}-*`) },
    { Sid: "Traces", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
    {
      Sid: "Objects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
      Resource: `arn:${d.partition}:s3:::${prefix}-*/*`,
    },
    // Listing tells a missing object (404) from a forbidden one (403): a role reading objects may need it.
    { Sid: "Buckets", Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:${d.partition}:s3:::${prefix}-*` },
    { Sid: "Items", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:ConditionCheckItem"], Resource: arn("dynamodb", `table/${prefix}-*`) },
    { Sid: "Failures", Effect: "Allow", Action: "sqs:SendMessage", Resource: arn("sqs", `${prefix}-*`) },
    { Sid: "Parameters", Effect: "Allow", Action: "ssm:GetParameter", Resource: arn("ssm", `parameter/${d.app}/${d.env}/*`) },
    parameterDecryption("ParameterDecryption", d, arn("ssm", `parameter/${d.app}/${d.env}/*`)),
  ];
}
