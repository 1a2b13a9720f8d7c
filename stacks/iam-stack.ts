import type { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { FUNCTION_NAMES, type FunctionName } from "../config";
import { PipelineStack, type PipelineStackProps } from "./pipeline-stack";
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from "./policy-document";
import type { StorageStack } from "./storage-stack";

export interface IamStackProps extends PipelineStackProps {
  readonly storage: StorageStack;
}

/**
 * One execution role per function, each with an inline policy of exact actions on exact resources.
 * Log groups and the failure queue are named by convention (config/naming), so their ARNs are known here
 * before compute creates them and no reference has to point back from iam to compute.
 */
export class IamStack extends PipelineStack {
  readonly roles: Readonly<Record<FunctionName, IamRole>>;
  /** The role API Gateway writes CloudWatch logs with; only when the environment manages the account setting. */
  readonly apiGatewayCloudwatchRole?: IamRole;

  constructor(scope: Construct, id: string, props: IamStackProps) {
    super(scope, id, props);
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;
    const region = this.config.region;
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
    const { inBucket, outBucket, table } = props.storage;
    const auth = this.config.api.auth;

    const specific: Record<FunctionName, PolicyStatement[]> = {
      presign: [
        // Signing needs no call to S3; the URL carries these permissions to the client.
        { Sid: "PresignUpload", Effect: "Allow", Action: "s3:PutObject", Resource: `${inBucket.arn}/*` },
        { Sid: "PresignDownload", Effect: "Allow", Action: "s3:GetObject", Resource: `${outBucket.arn}/*` },
      ],
      process: [
        {
          Sid: "ReadUploads",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:GetObjectVersion"],
          Resource: `${inBucket.arn}/*`,
        },
        {
          Sid: "WriteProcessed",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
          Resource: `${outBucket.arn}/*`,
        },
        {
          Sid: "RecordMetadata",
          Effect: "Allow",
          Action: ["dynamodb:GetItem", "dynamodb:PutItem"],
          Resource: table.arn,
        },
        {
          Sid: "OnFailureDestination",
          Effect: "Allow",
          Action: "sqs:SendMessage",
          Resource: arn("sqs", this.names.failureQueue),
        },
      ],
      status: [{ Sid: "ReadMetadata", Effect: "Allow", Action: "dynamodb:GetItem", Resource: table.arn }],
      authorize:
        auth.enabled && auth.jwtSecretParam
          ? [
              {
                Sid: "ReadJwtSecret",
                Effect: "Allow",
                Action: "ssm:GetParameter",
                Resource: arn("ssm", `parameter${auth.jwtSecretParam}`),
              },
            ]
          : [],
    };

    const roles = {} as Record<FunctionName, IamRole>;
    for (const name of FUNCTION_NAMES) {
      const role = new IamRole(this, `${name}-role`, {
        name: this.names.role(name),
        description: `Execution role of ${this.names.functionName(name)}`,
        assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
      });
      new IamRolePolicy(this, `${name}-role-policy`, {
        name: "least-privilege",
        role: role.id,
        policy: policyDocument([
          {
            Sid: "OwnLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${arn("logs", `log-group:${this.names.logGroup(name)}`)}:*`,
          },
          {
            // X-Ray's write actions do not support resource-level permissions; "*" is the only valid resource.
            Sid: "XRayWrite",
            Effect: "Allow",
            Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Resource: "*",
          },
          ...specific[name],
        ]),
      });
      roles[name] = role;
    }
    this.roles = roles;

    if (this.config.api.manageAccountSettings) {
      const role = new IamRole(this, "apigateway-cloudwatch-role", {
        name: `${this.names.prefix}-apigateway-cloudwatch`,
        description: "Lets API Gateway write execution and access logs to CloudWatch Logs",
        assumeRolePolicy: serviceTrustPolicy("apigateway.amazonaws.com"),
      });
      new IamRolePolicy(this, "apigateway-cloudwatch-role-policy", {
        name: "push-to-cloudwatch-logs",
        role: role.id,
        // The actions of the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, scoped to this account and region.
        policy: policyDocument([
          {
            Sid: "PushLogs",
            Effect: "Allow",
            Action: [
              "logs:CreateLogGroup",
              "logs:CreateLogStream",
              "logs:DescribeLogGroups",
              "logs:DescribeLogStreams",
              "logs:PutLogEvents",
              "logs:GetLogEvents",
              "logs:FilterLogEvents",
            ],
            Resource: arn("logs", "*"),
          },
        ]),
      });
      this.apiGatewayCloudwatchRole = role;
    }
  }
}
