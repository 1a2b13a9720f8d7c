import type { Construct } from "constructs";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ACCOUNT_ROLE_PATH, apiGatewayLogsRoleName } from "../config/bootstrap";
import { policyDocument, serviceTrustPolicy } from "./policy-document";

/**
 * API Gateway's account setting for one region (the CloudWatch role every stage with logging needs), owned once per
 * account and region here, never by an environment: destroying an environment must not turn off the others' logs
 * (provider 6.x resets the setting when the resource is destroyed).
 */
export interface AccountSettingsOptions {
  readonly app: string;
  readonly region: string;
  readonly partition: string;
  readonly account: string;
  /** The provider of this region. */
  readonly provider: AwsProvider;
}

export function addApiGatewayAccountSettings(scope: Construct, { app, region, partition, account, provider }: AccountSettingsOptions): void {
  const role = new IamRole(scope, `apigateway-logs-role-${region}`, {
    name: apiGatewayLogsRoleName(app, region),
    path: ACCOUNT_ROLE_PATH,
    description: `Lets API Gateway write execution and access logs to CloudWatch Logs in ${region}`,
    assumeRolePolicy: serviceTrustPolicy("apigateway.amazonaws.com"),
  });
  new IamRolePolicy(scope, `apigateway-logs-role-${region}-policy`, {
    name: "push-to-cloudwatch-logs",
    role: role.id,
    // The actions of the AWS managed AmazonAPIGatewayPushToCloudWatchLogs policy, scoped to this account and region.
    policy: policyDocument([
      {
        Sid: "PushLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"],
        Resource: `arn:${partition}:logs:${region}:${account}:*`,
      },
    ]),
  });
  new ApiGatewayAccount(scope, `apigateway-account-${region}`, { provider, cloudwatchRoleArn: role.arn });
}
