import { Fn, TerraformOutput, type ITerraformDependable, type TerraformResource } from "cdktf";
import type { Construct } from "constructs";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { ApiGatewayAuthorizer } from "@cdktf/provider-aws/lib/api-gateway-authorizer";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayGatewayResponse } from "@cdktf/provider-aws/lib/api-gateway-gateway-response";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayIntegrationResponse } from "@cdktf/provider-aws/lib/api-gateway-integration-response";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayMethodResponse } from "@cdktf/provider-aws/lib/api-gateway-method-response";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayRequestValidator } from "@cdktf/provider-aws/lib/api-gateway-request-validator";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { addPreflight, gatewayResponseCorsHeaders } from "./api/cors";
import type { ComputeStack } from "./compute-stack";
import type { IamStack } from "./iam-stack";
import { PipelineStack, type PipelineStackProps } from "./pipeline-stack";

export interface ApiStackProps extends PipelineStackProps {
  readonly iam: IamStack;
  readonly compute: ComputeStack;
}

/** JSON access log line; requestId ties it to the Lambda logs and X-Ray trace. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
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
 * The REST API in front of the functions. Every method, integration, authorizer and gateway response feeds the
 * deployment's trigger hash, so any change redeploys, and create_before_destroy keeps the stage pointing at a
 * live deployment throughout.
 */
export class ApiStack extends PipelineStack {
  readonly restApi: ApiGatewayRestApi;
  readonly stages: readonly ApiGatewayStage[];

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const c = this.config;
    const origins = c.allowedOrigins;
    const fns = props.compute.functions;
    const parts: TerraformResource[] = [];
    const track = <T extends TerraformResource>(r: T): T => {
      parts.push(r);
      return r;
    };

    const api = new ApiGatewayRestApi(this, "rest-api", {
      name: this.names.api,
      description: "File pipeline API: presigned URLs and processing status",
      endpointConfiguration: { types: ["REGIONAL"] },
    });
    this.restApi = api;
    const restApiId = api.id;

    let authorizer: ApiGatewayAuthorizer | undefined;
    if (c.api.auth.enabled) {
      authorizer = track(
        new ApiGatewayAuthorizer(this, "jwt-authorizer", {
          name: `${this.names.prefix}-jwt`,
          restApiId,
          type: "TOKEN",
          authorizerUri: fns.authorize.function.invokeArn,
          identitySource: "method.request.header.Authorization",
          // Malformed headers are refused by API Gateway without invoking (or paying for) the authorizer.
          identityValidationExpression: "^Bearer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]*$",
          authorizerResultTtlInSeconds: c.api.auth.cacheTtlSeconds,
        }),
      );
      new LambdaPermission(this, "authorize-permission", {
        statementId: "AllowApiGatewayAuthorizer",
        action: "lambda:InvokeFunction",
        functionName: fns.authorize.function.functionName,
        principal: "apigateway.amazonaws.com",
        sourceArn: `${api.executionArn}/authorizers/${authorizer.id}`,
      });
    }
    const protectedAuth = authorizer
      ? { authorization: "CUSTOM", authorizerId: authorizer.id }
      : { authorization: "NONE" };

    const validator = track(
      new ApiGatewayRequestValidator(this, "validate-parameters", {
        name: "required-parameters",
        restApiId,
        validateRequestParameters: true,
        validateRequestBody: false,
      }),
    );

    // Resources
    const presignResource = track(new ApiGatewayResource(this, "presign-resource", { restApiId, parentId: api.rootResourceId, pathPart: "presign" }));
    const filesResource = track(new ApiGatewayResource(this, "files-resource", { restApiId, parentId: api.rootResourceId, pathPart: "files" }));
    const fileKeyResource = track(new ApiGatewayResource(this, "file-key-resource", { restApiId, parentId: filesResource.id, pathPart: "{key+}" }));
    const healthResource = track(new ApiGatewayResource(this, "health-resource", { restApiId, parentId: api.rootResourceId, pathPart: "health" }));

    // GET /presign -> presign Lambda; GET /files/{key+} -> status Lambda. API Gateway requires the parameters
    // marked true before invoking anything.
    const proxyRoute = (id: string, resourceId: string, fn: ApiStackProps["compute"]["functions"]["presign"], requestParameters: Record<string, boolean>) => {
      const method = track(
        new ApiGatewayMethod(this, id, { restApiId, resourceId, httpMethod: "GET", ...protectedAuth, requestValidatorId: validator.id, requestParameters }),
      );
      track(
        new ApiGatewayIntegration(this, `${id}-integration`, {
          restApiId,
          resourceId,
          httpMethod: method.httpMethod,
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          uri: fn.function.invokeArn,
        }),
      );
    };
    proxyRoute("presign-get", presignResource.id, fns.presign, {
      "method.request.querystring.file": true,
      "method.request.querystring.mode": false,
      "method.request.querystring.contentType": false,
    });
    proxyRoute("files-get", fileKeyResource.id, fns.status, { "method.request.path.key": true });

    // GET /health and HEAD / : open mocks for load balancers and uptime checks.
    parts.push(...this.mockMethod("health-get", restApiId, healthResource.id, "GET", '{"status":"ok"}'));
    parts.push(...this.mockMethod("root-head", restApiId, api.rootResourceId, "HEAD", ""));

    // CORS preflight on every resource.
    const preflightTargets: Array<[string, string]> = [
      ["root", api.rootResourceId],
      ["presign", presignResource.id],
      ["files", filesResource.id],
      ["file-key", fileKeyResource.id],
      ["health", healthResource.id],
    ];
    for (const [name, resourceId] of preflightTargets) {
      parts.push(...(addPreflight(this, `${name}-preflight`, { restApiId, resourceId, origins }) as TerraformResource[]));
    }

    // API Gateway's own errors carry CORS headers and the same JSON error shape as the handlers.
    const corsHeaders = gatewayResponseCorsHeaders(origins);
    const gatewayResponses: Array<[string, string]> = [
      ["DEFAULT_4XX", '{"code":"$context.error.responseType","message":$context.error.messageString}'],
      ["DEFAULT_5XX", '{"code":"InternalError","message":"Internal server error"}'],
      ["BAD_REQUEST_PARAMETERS", '{"code":"InvalidRequest","message":"$context.error.validationErrorString"}'],
    ];
    for (const [type, template] of gatewayResponses) {
      track(
        new ApiGatewayGatewayResponse(this, `gateway-response-${type.toLowerCase().replace(/_/g, "-")}`, {
          restApiId,
          responseType: type,
          responseParameters: corsHeaders,
          responseTemplates: { "application/json": template },
        }),
      );
    }

    // Lambda permissions scoped to this API's execution ARN and the exact route.
    new LambdaPermission(this, "presign-permission", {
      statementId: "AllowApiGatewayPresign",
      action: "lambda:InvokeFunction",
      functionName: fns.presign.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${api.executionArn}/*/GET/presign`,
    });
    new LambdaPermission(this, "status-permission", {
      statementId: "AllowApiGatewayStatus",
      action: "lambda:InvokeFunction",
      functionName: fns.status.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${api.executionArn}/*/GET/files/*`,
    });

    const deployment = new ApiGatewayDeployment(this, "deployment", {
      restApiId,
      description: "Managed by cdktf; replaced whenever the API definition changes",
      triggers: { redeployment: Fn.sha1(Fn.jsonencode(parts.map((r) => r.fqn))) },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: parts as ITerraformDependable[],
    });

    // Access logging needs the account-level CloudWatch role; when this environment owns it, stages wait for it.
    const accountSetting = props.iam.apiGatewayCloudwatchRole
      ? [new ApiGatewayAccount(this, "account-settings", { cloudwatchRoleArn: props.iam.apiGatewayCloudwatchRole.arn })]
      : [];

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
        dependsOn: accountSetting,
      });
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
      });
      new TerraformOutput(this, `invoke-url-${stageName}`, {
        value: stage.invokeUrl,
        description: `Invoke URL of the ${stageName} stage`,
      });
      return stage;
    });
  }

  private mockMethod(id: string, restApiId: string, resourceId: string, httpMethod: string, body: string): TerraformResource[] {
    const method = new ApiGatewayMethod(this, id, { restApiId, resourceId, httpMethod, authorization: "NONE" });
    const integration = new ApiGatewayIntegration(this, `${id}-integration`, {
      restApiId,
      resourceId,
      httpMethod: method.httpMethod,
      type: "MOCK",
      requestTemplates: { "application/json": '{"statusCode": 200}' },
    });
    const methodResponse = new ApiGatewayMethodResponse(this, `${id}-200`, {
      restApiId,
      resourceId,
      httpMethod: method.httpMethod,
      statusCode: "200",
      responseModels: { "application/json": "Empty" },
    });
    const integrationResponse = new ApiGatewayIntegrationResponse(this, `${id}-integration-200`, {
      restApiId,
      resourceId,
      httpMethod: method.httpMethod,
      statusCode: "200",
      responseTemplates: { "application/json": body },
      dependsOn: [integration, methodResponse],
    });
    return [method, integration, methodResponse, integrationResponse];
  }
}
