import type { TerraformResource } from "cdktf";
import type { Construct } from "constructs";
import type { ApiGatewayAuthorizer } from "@cdktf/provider-aws/lib/api-gateway-authorizer";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayIntegrationResponse } from "@cdktf/provider-aws/lib/api-gateway-integration-response";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayMethodResponse } from "@cdktf/provider-aws/lib/api-gateway-method-response";
import { ApiGatewayRequestValidator } from "@cdktf/provider-aws/lib/api-gateway-request-validator";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import type { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { addPreflight, mockCorsParameters, mockResponseTemplate } from "./api-cors";
import { methodArnPath } from "./method-arn-path";
import { addressInStack, dependOn } from "./in-stack-address";

/** The function a route or authorizer invokes. */
export interface LambdaTarget {
  readonly functionName: string;
  readonly invokeArn: string;
}

export interface LambdaRoute {
  readonly method: string;
  /** "/files/{key+}" */
  readonly path: string;
  readonly target: LambdaTarget;
  readonly authorizer?: ApiGatewayAuthorizer;
  /** Query parameters; true = required (API Gateway refuses the request without it). */
  readonly query?: Readonly<Record<string, boolean>>;
}

export interface MockRoute {
  readonly method: string;
  readonly path: string;
  readonly statusCode: number;
  /** application/json response body. */
  readonly body: string;
}

interface ResourceNode {
  readonly id: string;
  /** Terraform expression of the API Gateway resource id. */
  readonly resourceId: string;
  readonly methods: string[];
}

/** "/" -> "root", "/files/{key+}" -> "files-key-path", "/a/{id}" -> "a-id-param": readable, unique per path. */
function pathId(path: string): string {
  const segments = path.split("/").filter(Boolean);
  if (segments.length === 0) return "root";
  return segments.map((s) => (s.endsWith("+}") ? `${s.slice(1, -2)}-path` : s.startsWith("{") ? `${s.slice(1, -1)}-param` : s)).join("-");
}

/**
 * Builds a REST API from routes, as aws-cdk-lib's aws-apigateway does: a route creates its resource path, its
 * method, its integration, its request validation and (for Lambda) the invoke permission scoped to exactly that
 * method's ARN; `deploy()` adds a CORS preflight to every resource with the methods that resource really has and
 * a deployment whose redeploy hash covers every part. Resources are created in `scope` with ids derived from
 * the path, so Terraform addresses stay readable.
 */
export class RestApiRoutes {
  private readonly nodes = new Map<string, ResourceNode>();
  private readonly parts: TerraformResource[] = [];
  private validator?: ApiGatewayRequestValidator;
  private deployed = false;
  // Read once: every read of a resource attribute makes a new token, each capturing its creation stack.
  private readonly restApiId: string;
  private readonly executionArn: string;

  constructor(
    private readonly scope: Construct,
    api: ApiGatewayRestApi,
    private readonly origins: readonly string[],
  ) {
    this.restApiId = api.id;
    this.executionArn = api.executionArn;
    this.nodes.set("/", { id: "root", resourceId: api.rootResourceId, methods: [] });
  }

  /** Adds a part that is not a route (authorizer, gateway response) to the redeploy hash. */
  track<T extends TerraformResource>(part: T): T {
    this.parts.push(part);
    return part;
  }

  /** Lets API Gateway invoke `target` as this API's authorizer (and only as that authorizer). */
  permitAuthorizer(authorizer: ApiGatewayAuthorizer, target: LambdaTarget): LambdaPermission {
    return new LambdaPermission(this.scope, `${authorizer.friendlyUniqueId}-permission`, {
      statementId: "AllowApiGatewayAuthorizer",
      action: "lambda:InvokeFunction",
      functionName: target.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.executionArn}/authorizers/${authorizer.id}`,
    });
  }

  addLambdaRoute(route: LambdaRoute): ApiGatewayMethod {
    const node = this.resource(route.path);
    const id = `${node.id}-${route.method.toLowerCase()}`;
    const pathParameters = route.path.split("/").filter((s) => s.startsWith("{")).map((s) => s.replace(/[{}+]/g, ""));
    const requestParameters: Record<string, boolean> = {
      ...Object.fromEntries(Object.entries(route.query ?? {}).map(([name, required]) => [`method.request.querystring.${name}`, required])),
      ...Object.fromEntries(pathParameters.map((name) => [`method.request.path.${name}`, true])),
    };
    const validated = Object.keys(requestParameters).length > 0;
    const method = this.track(
      new ApiGatewayMethod(this.scope, id, {
        restApiId: this.restApiId,
        resourceId: node.resourceId,
        httpMethod: route.method,
        ...(route.authorizer ? { authorization: "CUSTOM", authorizerId: route.authorizer.id } : { authorization: "NONE" }),
        ...(validated ? { requestValidatorId: this.requestValidator().id, requestParameters } : {}),
      }),
    );
    node.methods.push(route.method);
    this.track(
      new ApiGatewayIntegration(this.scope, `${id}-integration`, {
        restApiId: this.restApiId,
        resourceId: node.resourceId,
        httpMethod: method.httpMethod,
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: route.target.invokeArn,
      }),
    );
    // Scoped to this method on any stage: nothing else in this API (or any other API) may invoke the function.
    new LambdaPermission(this.scope, `${id}-permission`, {
      statementId: `AllowApiGateway-${id}`,
      action: "lambda:InvokeFunction",
      functionName: route.target.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.executionArn}/*/${methodArnPath(route.method, route.path)}`,
    });
    return method;
  }

  /** An open route answered by API Gateway itself (health checks), readable by the allowed origins. */
  addMockRoute(route: MockRoute): ApiGatewayMethod {
    const node = this.resource(route.path);
    const id = `${node.id}-${route.method.toLowerCase()}`;
    const common = { restApiId: this.restApiId, resourceId: node.resourceId };
    const method = this.track(new ApiGatewayMethod(this.scope, id, { ...common, httpMethod: route.method, authorization: "NONE" }));
    node.methods.push(route.method);
    const status = String(route.statusCode);
    const cors = mockCorsParameters(this.origins);
    // The method's http_method read once: each read makes a token of its own.
    const ofMethod = { ...common, httpMethod: method.httpMethod };
    const integration = this.track(
      new ApiGatewayIntegration(this.scope, `${id}-integration`, {
        ...ofMethod,
        type: "MOCK",
        requestTemplates: { "application/json": `{"statusCode": ${status}}` },
      }),
    );
    const methodResponse = this.track(
      new ApiGatewayMethodResponse(this.scope, `${id}-${status}`, {
        ...ofMethod,
        statusCode: status,
        responseModels: { "application/json": "Empty" },
        responseParameters: cors.method,
      }),
    );
    this.track(
      dependOn(
        new ApiGatewayIntegrationResponse(this.scope, `${id}-integration-${status}`, {
          ...ofMethod,
          statusCode: status,
          responseParameters: cors.integration,
          responseTemplates: { "application/json": mockResponseTemplate(this.origins, route.body) },
        }),
        [integration, methodResponse],
      ),
    );
    return method;
  }

  /**
   * Adds the preflights and the deployment. Every method, integration, authorizer, validator and gateway
   * response feeds the redeploy hash (jsonencode of the resources themselves, so any attribute change counts),
   * and create_before_destroy keeps the stages pointing at a live deployment throughout.
   */
  deploy(): ApiGatewayDeployment {
    if (this.deployed) throw new Error("RestApiRoutes.deploy() was already called");
    this.deployed = true;
    for (const node of this.nodes.values()) {
      if (node.methods.length === 0) continue; // a path-only resource: browsers never call it
      const parts = addPreflight(this.scope, `${node.id}-preflight`, { restApiId: this.restApiId, resourceId: node.resourceId, origins: this.origins, methods: node.methods });
      this.parts.push(...(parts as TerraformResource[]));
    }
    const addresses = this.parts.map((r) => addressInStack(r, this.scope));
    const deployment = new ApiGatewayDeployment(this.scope, "deployment", {
      restApiId: this.restApiId,
      description: "Managed by cdktf; replaced whenever the API definition changes",
      triggers: { redeployment: `\${sha1(jsonencode([${addresses.join(", ")}]))}` },
      lifecycle: { createBeforeDestroy: true },
    });
    deployment.dependsOn = addresses;
    return deployment;
  }

  private requestValidator(): ApiGatewayRequestValidator {
    this.validator ??= this.track(
      new ApiGatewayRequestValidator(this.scope, "validate-parameters", {
        name: "required-parameters",
        restApiId: this.restApiId,
        validateRequestParameters: true,
        validateRequestBody: false,
      }),
    );
    return this.validator;
  }

  /** The resource for a path, creating it and its parents on first use. */
  private resource(path: string): ResourceNode {
    const existing = this.nodes.get(path);
    if (existing) return existing;
    const cut = path.lastIndexOf("/");
    const parent = this.resource(cut === 0 ? "/" : path.slice(0, cut));
    const id = pathId(path);
    const resource = this.track(
      new ApiGatewayResource(this.scope, `${id}-resource`, { restApiId: this.restApiId, parentId: parent.resourceId, pathPart: path.slice(cut + 1) }),
    );
    const node: ResourceNode = { id, resourceId: resource.id, methods: [] };
    this.nodes.set(path, node);
    return node;
  }
}
