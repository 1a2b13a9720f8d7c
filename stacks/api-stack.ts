import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { ApiGatewayAuthorizer } from "@cdktf/provider-aws/lib/api-gateway-authorizer";
import { ApiGatewayGatewayResponse } from "@cdktf/provider-aws/lib/api-gateway-gateway-response";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamRoles } from "@cdktf/provider-aws/lib/data-aws-iam-roles";
import { gatewayResponseCorsHeaders } from "../constructs/api-cors";
import { RestApiRoutes, type LambdaTarget } from "../constructs/rest-api-routes";
import type { PipelineFunction } from "../pipeline/function-declaration";
import type { ComputeStack } from "./compute-stack";
import type { IamStack } from "./iam-stack";
import type { StorageStack } from "./storage-stack";
import { alarmSettings } from "../config/alarms";
import { addAlarm } from "../constructs/alarm";
import { ACCOUNT_ROLE_PATH, apiGatewayLogsRoleName } from "../config/bootstrap";
import { PipelineStack, type PipelineStackProps } from "./pipeline-stack";
import { dependOn } from "../constructs/in-stack-address";

export interface ApiStackProps extends PipelineStackProps {
  readonly storage: StorageStack;
  readonly iam: IamStack;
  readonly compute: ComputeStack;
  readonly functions: readonly PipelineFunction[];
}
/** JSON access log line; requestId ties it to the Lambda logs and X-Ray trace. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  integrationLatency: "$context.integration.latency",
  principalId: "$context.authorizer.principalId",
  authorizerError: "$context.authorizer.error",
  errorMessage: "$context.error.message",
});

/**
 * The REST API in front of the functions, built from the routes the functions declare (plus two open mocks for
 * health checks), with the environment's authorizer, gateway responses, stages, access logs and throttling.
 */
export class ApiStack extends PipelineStack {
  readonly restApi: ApiGatewayRestApi;
  readonly stages: readonly ApiGatewayStage[];

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const c = this.config;
    const origins = c.allowedOrigins;
    const target = (fn: string): LambdaTarget => props.compute.fn(fn).function;

    const api = new ApiGatewayRestApi(this, "rest-api", {
      name: this.names.api,
      description: "File pipeline API: presigned URLs and processing status",
      endpointConfiguration: { types: ["REGIONAL"] },
    });
    this.restApi = api;
    const routes = new RestApiRoutes(this, api, origins);

    const authorizerFn = props.functions.find((f) => f.authorizer);
    let authorizer: ApiGatewayAuthorizer | undefined;
    if (c.api.auth.enabled && authorizerFn?.authorizer) {
      authorizer = routes.track(
        new ApiGatewayAuthorizer(this, "jwt-authorizer", {
          name: `${this.names.prefix}-jwt`,
          restApiId: api.id,
          type: "TOKEN",
          authorizerUri: target(authorizerFn.name).invokeArn,
          identitySource: `method.request.header.${authorizerFn.authorizer.header}`,
          identityValidationExpression: authorizerFn.authorizer.validationExpression,
          authorizerResultTtlInSeconds: c.api.auth.cacheTtlSeconds,
        }),
      );
      routes.permitAuthorizer(authorizer, target(authorizerFn.name));
    }

    for (const fn of props.functions) {
      for (const route of fn.routes ?? []) {
        routes.addLambdaRoute({
          method: route.method,
          path: route.path,
          target: target(fn.name),
          ...(route.auth !== false && authorizer ? { authorizer } : {}),
          ...(route.query ? { query: route.query } : {}),
        });
      }
    }
    // Open mocks for load balancers and uptime checks.
    routes.addMockRoute({ method: "GET", path: "/health", statusCode: 200, body: '{"status":"ok"}' });
    routes.addMockRoute({ method: "HEAD", path: "/", statusCode: 200, body: "" });

    // API Gateway's own errors carry CORS headers and the same JSON error shape as the handlers.
    const corsHeaders = gatewayResponseCorsHeaders();
    const gatewayResponses: Array<[string, string]> = [
      ["DEFAULT_4XX", '{"code":"$context.error.responseType","message":$context.error.messageString}'],
      ["DEFAULT_5XX", '{"code":"InternalError","message":"Internal server error"}'],
      ["BAD_REQUEST_PARAMETERS", '{"code":"InvalidRequest","message":"$context.error.validationErrorString"}'],
    ];
    for (const [type, template] of gatewayResponses) {
      routes.track(
        new ApiGatewayGatewayResponse(this, `gateway-response-${type.toLowerCase().replace(/_/g, "-")}`, {
          restApiId: api.id,
          responseType: type,
          responseParameters: corsHeaders,
          responseTemplates: { "application/json": template },
        }),
      );
    }
    const deployment = routes.deploy();
    const restApiId = api.id;

    // Stage logging needs the account's CloudWatch role setting for this region, which the bootstrap owns (once per
    // account and region; no environment may own it, or destroying one turns logging off for all). The plan
    // fails with what to do when the bootstrap has not run for this region.
    const logsRole = apiGatewayLogsRoleName(c.app, c.region);
    const bootstrapped = new DataAwsIamRoles(this, "api-gateway-logs-role", { pathPrefix: ACCOUNT_ROLE_PATH, nameRegex: `^${logsRole}$` });
    const accountSettings = {
      condition: `\${length(${bootstrapped.fqn}.names) == 1}`,
      errorMessage: `API Gateway logging in ${c.region} needs the account setting the bootstrap creates (role ${logsRole}); apply the bootstrap stack first (README, Deploying).`,
    };

    const alarms = alarmSettings(c);
    const window = { periodSeconds: alarms.periodSeconds, evaluationPeriods: alarms.evaluationPeriods, datapointsToAlarm: alarms.datapointsToAlarm, topicArn: props.storage.alarmTopic.arn };
    this.stages = c.api.stages.map((stageName) => {
      const accessLogs = new CloudwatchLogGroup(this, `access-logs-${stageName}`, {
        name: `${this.names.accessLogGroup}/${stageName}`,
        retentionInDays: c.api.accessLogRetentionDays,
      });
      const stage = new ApiGatewayStage(this, `stage-${stageName}`, {
        restApiId,
        stageName,
        deploymentId: deployment.id,
        xrayTracingEnabled: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
        lifecycle: { precondition: [accountSettings] },
      });
      // Execution logs go to a group API Gateway names and would create itself, with no retention and outside
      // Terraform: created here first, with the API logs' retention, before logging is turned on.
      const executionLogs = new CloudwatchLogGroup(this, `execution-logs-${stageName}`, {
        name: `API-Gateway-Execution-Logs_${restApiId}/${stageName}`,
        retentionInDays: c.api.accessLogRetentionDays,
      });
      dependOn(
        new ApiGatewayMethodSettings(this, `stage-${stageName}-settings`, {
          restApiId,
          stageName: stage.stageName,
          methodPath: "*/*",
          settings: {
            metricsEnabled: true,
            loggingLevel: "ERROR",
            // Full request/response bodies in logs would leak tokens and presigned URLs.
            dataTraceEnabled: false,
            throttlingBurstLimit: c.api.throttle.burstLimit,
            throttlingRateLimit: c.api.throttle.rateLimit,
          },
        }),
        [executionLogs],
      );
      // A sustained 5xx rate or slow p99 on the stage (API Gateway's own errors and the functions' 500s alike).
      const dimensions = { ApiName: this.names.api, Stage: stageName };
      addAlarm(this, `stage-${stageName}-5xx-rate`, {
        ...window,
        name: this.names.alarm(`api-${stageName}-5xx-rate`),
        description: `More than ${alarms.api5xxRate * 100}% of requests to the ${stageName} stage answered 5xx. Access logs: ${this.names.accessLogGroup}/${stageName}; function logs have the request id.`,
        namespace: "AWS/ApiGateway",
        metric: "5XXError",
        dimensions,
        // 5XXError is 1 per failed request and 0 otherwise: its average is the rate.
        statistic: "Average",
        threshold: alarms.api5xxRate,
      });
      addAlarm(this, `stage-${stageName}-latency-p99`, {
        ...window,
        name: this.names.alarm(`api-${stageName}-latency-p99`),
        description: `The ${stageName} stage's p99 latency is above ${alarms.apiLatencyP99Ms} ms.`,
        namespace: "AWS/ApiGateway",
        metric: "Latency",
        dimensions,
        statistic: "p99",
        threshold: alarms.apiLatencyP99Ms,
      });
      new TerraformOutput(this, `invoke-url-${stageName}`, {
        value: stage.invokeUrl,
        description: `Invoke URL of the ${stageName} stage`,
      });
      return stage;
    });
  }
}
