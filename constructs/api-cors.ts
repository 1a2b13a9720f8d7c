import type { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayIntegrationResponse } from "@cdktf/provider-aws/lib/api-gateway-integration-response";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayMethodResponse } from "@cdktf/provider-aws/lib/api-gateway-method-response";
import { echoAllowedOriginTemplate } from "./cors-origin-template";
import { dependOn } from "./in-stack-address";

/** Request headers a page may send to the API (the preflight answers with exactly these). */
const CORS_ALLOW_HEADERS = "Authorization,Content-Type";
const CORS_MAX_AGE_SECONDS = 600;

/** API Gateway header values are literals in single quotes. */
const literal = (value: string) => `'${value}'`;

export interface PreflightProps {
  readonly restApiId: string;
  readonly resourceId: string;
  readonly origins: readonly string[];
  /** The methods the resource really has; OPTIONS is added. */
  readonly methods: readonly string[];
}

/** OPTIONS on one resource: unauthenticated mock answering 204 with the CORS headers for that resource. */
export function addPreflight(scope: Construct, id: string, p: PreflightProps): ITerraformDependable[] {
  const method = new ApiGatewayMethod(scope, `${id}-options`, {
    restApiId: p.restApiId,
    resourceId: p.resourceId,
    httpMethod: "OPTIONS",
    authorization: "NONE",
  });
  // The method's http_method read once: each read makes a token of its own.
  const ofMethod = { restApiId: p.restApiId, resourceId: p.resourceId, httpMethod: method.httpMethod };
  const integration = new ApiGatewayIntegration(scope, `${id}-options-integration`, {
    ...ofMethod,
    type: "MOCK",
    requestTemplates: { "application/json": '{"statusCode": 204}' },
  });
  const headers = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Vary",
  ].map((h) => `method.response.header.${h}`);
  const methodResponse = new ApiGatewayMethodResponse(scope, `${id}-options-204`, {
    ...ofMethod,
    statusCode: "204",
    responseParameters: Object.fromEntries(headers.map((h) => [h, true])),
  });
  const integrationResponse = new ApiGatewayIntegrationResponse(scope, `${id}-options-integration-204`, {
    ...ofMethod,
    statusCode: "204",
    responseParameters: {
      "method.response.header.Access-Control-Allow-Origin": literal(p.origins[0] ?? ""),
      "method.response.header.Access-Control-Allow-Methods": literal([...new Set([...p.methods, "OPTIONS"])].join(",")),
      "method.response.header.Access-Control-Allow-Headers": literal(CORS_ALLOW_HEADERS),
      "method.response.header.Access-Control-Max-Age": literal(String(CORS_MAX_AGE_SECONDS)),
      "method.response.header.Vary": literal("Origin"),
    },
    responseTemplates: { "application/json": echoAllowedOriginTemplate(p.origins) },
  });
  // Literal status code plus explicit ordering: readable in the plan, and the method response exists first.
  dependOn(integrationResponse, [integration, methodResponse]);
  return [method, integration, methodResponse, integrationResponse];
}

/**
 * Gateway-response headers: API Gateway's own errors (401, 403, 429, 5xx) must be readable by every allowed
 * origin, and a gateway response can only carry a literal or a value mapped from the request (no condition).
 * So the request's Origin is echoed: these bodies carry only the error type and message, never data, and without
 * Allow-Credentials no cookie is involved; a disallowed origin still cannot send the token (its preflight fails),
 * so all it could read is that an unauthenticated call is refused. Handler and mock responses keep the
 * allow-list. Allow-Methods/Allow-Headers belong to preflight answers only.
 */
export function gatewayResponseCorsHeaders(): Record<string, string> {
  return {
    "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin",
    "gatewayresponse.header.Vary": literal("Origin"),
  };
}

/** A mock's response template: the allow-list echo of the preflight, then the body. */
export function mockResponseTemplate(origins: readonly string[], body: string): string {
  return `${echoAllowedOriginTemplate(origins)}\n${body}`;
}

/** Method/integration response parameters of a mock answering browsers (allow-list echo in its template). */
export function mockCorsParameters(origins: readonly string[]): { method: Record<string, boolean>; integration: Record<string, string> } {
  return {
    method: { "method.response.header.Access-Control-Allow-Origin": true, "method.response.header.Vary": true },
    integration: { "method.response.header.Access-Control-Allow-Origin": literal(origins[0] ?? ""), "method.response.header.Vary": literal("Origin") },
  };
}
