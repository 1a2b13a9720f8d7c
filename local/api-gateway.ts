import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { API_GATEWAY_QUOTAS } from "../config/aws-quotas";
import { echoAllowedOriginTemplate } from "../constructs/cors-origin-template";
import type { InvokeResult, LocalFunction } from "./function-host";
import { RequestBodyTooLarge, readRequestBody } from "./request-body";
import { matchesWildcard } from "../synth/arn-pattern";
import { LOCAL_ACCOUNT, LOCAL_API_ID, type ResolvedResource, type SynthesizedApp } from "../synth/synthesized-app";

interface Route {
  readonly template: string; // e.g. /files/{key+}
  readonly segments: readonly string[];
  readonly methods: Map<string, ResolvedResource>; // HTTP method -> aws_api_gateway_method
}

export interface InvocationLog {
  (entry: { function: string; status: number | string; durationMs: number; detail?: string }): void;
}

const DEFAULT_STATUS: Record<string, number> = {
  UNAUTHORIZED: 401,
  ACCESS_DENIED: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  BAD_REQUEST_PARAMETERS: 400,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  INTEGRATION_FAILURE: 502,
  INTEGRATION_TIMEOUT: 504,
};

/**
 * Serves the synthesized REST API on loopback the way API Gateway would: stage prefix, resource tree with
 * {param} and {greedy+} paths, request validation, TOKEN authorizer (with result cache), Lambda proxy (v1)
 * and mock integrations, and gateway responses for its own errors.
 */
export class LocalRestApi {
  readonly stack: string;
  readonly stages: readonly string[];
  readonly unsupported: string[] = [];
  private readonly routes: Route[] = [];
  private readonly authCache = new Map<string, { expires: number; result: AuthorizerResult }>();
  /** The environment's allowed origins (the pipeline reads them from the synthesized CORS rules) and their preflight VTL. */
  private readonly origins: readonly string[];
  private readonly originTemplate: string;
  /** arn:aws:execute-api:<region>:<account>:<api id>, the prefix of every method ARN. */
  private readonly executionArn: string;

  constructor(
    private readonly app: SynthesizedApp,
    private readonly functions: Map<string, LocalFunction>,
    private readonly log: InvocationLog,
    origins: readonly string[],
  ) {
    this.stack = app.stackName("api");
    this.stages = app.resources(this.stack, "aws_api_gateway_stage").map((s) => String(s.body.stage_name));
    this.executionArn = `arn:aws:execute-api:${app.region(this.stack)}:${LOCAL_ACCOUNT}:${LOCAL_API_ID}`;
    this.origins = origins;
    this.originTemplate = echoAllowedOriginTemplate(this.origins);
    const paths = new Map<string, string>(); // resource address -> template
    const pathOf = (ref: unknown): string => {
      const r = app.target(this.stack, ref);
      if (!r || r.type !== "aws_api_gateway_resource") return ""; // the rest API's root resource
      if (!paths.has(r.address)) paths.set(r.address, `${pathOf(r.body.parent_id)}/${r.body.path_part}`);
      return paths.get(r.address)!;
    };
    const byTemplate = new Map<string, Route>();
    for (const m of app.resources(this.stack, "aws_api_gateway_method")) {
      const template = pathOf(m.body.resource_id) || "/";
      const route = byTemplate.get(template) ?? { template, segments: template.split("/").filter(Boolean), methods: new Map() };
      route.methods.set(String(m.body.http_method), m);
      byTemplate.set(template, route);
    }
    // Literal segments win over parameters, as in API Gateway.
    this.routes = [...byTemplate.values()].sort((a, b) => score(b) - score(a));
    for (const ir of app.resources(this.stack, "aws_api_gateway_integration_response")) {
      for (const template of Object.values(ir.body.response_templates ?? {})) {
        if (isVtl(String(template)) && !this.isKnownTemplate(String(template))) this.unsupported.push(`VTL response template in ${ir.address} (served without it)`);
      }
    }
  }

  private isKnownTemplate(template: string): boolean {
    return template.startsWith(this.originTemplate) && !isVtl(template.slice(this.originTemplate.length));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://local");
    const [, stage, ...rest] = url.pathname.split("/");
    const requestId = randomUUID();
    if (!stage || !this.stages.includes(stage)) return this.gatewayError(req, res, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token", requestId);
    const rawSegments = rest.filter((s, i) => s !== "" || i < rest.length - 1);
    const match = this.match(rawSegments);
    const method = match?.route.methods.get(req.method ?? "GET") ?? match?.route.methods.get("ANY");
    if (!match || !method) return this.gatewayError(req, res, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token", requestId);

    // Request validation of required parameters.
    const params = (method.body.request_parameters ?? {}) as Record<string, boolean>;
    const missing = Object.entries(params)
      .filter(([name, required]) => required && name.startsWith("method.request.querystring."))
      .map(([name]) => name.slice("method.request.querystring.".length))
      .filter((q) => !url.searchParams.has(q));
    if (missing.length && method.body.request_validator_id) {
      return this.gatewayError(req, res, "BAD_REQUEST_PARAMETERS", "Missing required request parameters", requestId, { validationErrorString: `Missing required request parameters: [${missing.join(", ")}]` });
    }

    let body: Buffer;
    try {
      body = await readRequestBody(req, API_GATEWAY_QUOTAS.payloadBytes);
    } catch (error) {
      if (!(error instanceof RequestBodyTooLarge)) throw error;
      // Not a gateway response (it cannot be customized): no CORS headers, plain text.
      this.log({ function: "(api gateway)", status: 413, durationMs: 0, detail: "request payload over 10 MB" });
      res.statusCode = 413;
      res.setHeader("content-type", "text; charset=utf-8");
      res.end(`HTTP content length exceeded ${API_GATEWAY_QUOTAS.payloadBytes} bytes.`);
      return;
    }
    const methodArn = `${this.executionArn}/${stage}/${req.method}${match.route.template === "/" ? "/" : match.route.template.replace(/\{[^}]+\}/g, (p) => match.params[p.replace(/[{}+]/g, "")] ?? "")}`;
    let authorizerContext: Record<string, unknown> | undefined;
    if (method.body.authorization === "CUSTOM") {
      const auth = await this.authorize(method, req, methodArn, requestId);
      if ("error" in auth) return this.gatewayError(req, res, auth.error, auth.message, requestId);
      authorizerContext = auth.context;
    }

    const integration = this.app
      .resources(this.stack, "aws_api_gateway_integration")
      .find((i) => String(i.body.http_method).startsWith(`\${${method.address}.`) || (i.body.http_method === method.body.http_method && i.body.resource_id === method.body.resource_id));
    if (!integration) return this.gatewayError(req, res, "INTEGRATION_FAILURE", "No integration defined for method", requestId);

    if (integration.body.type === "MOCK") return this.mock(integration, method, req, res);
    if (integration.body.type !== "AWS_PROXY") return this.gatewayError(req, res, "INTEGRATION_FAILURE", `${integration.body.type} integrations are not emulated`, requestId);

    const fn = this.functionFor(integration.body.uri);
    if (!fn) return this.gatewayError(req, res, "INTEGRATION_FAILURE", "Integration target not found", requestId);
    // API Gateway's own answer when the function's resource policy does not let this method invoke it.
    if (!this.permits(fn.name, methodArn)) {
      this.log({ function: fn.name, status: 500, durationMs: 0, detail: "Execution failed due to configuration error: Invalid permissions on Lambda function" });
      return this.gatewayError(req, res, "API_CONFIGURATION_ERROR", "Internal server error", requestId);
    }
    const event = this.proxyEvent(req, url, stage, match, body, requestId, authorizerContext);
    const timeoutMs = Number(integration.body.timeout_milliseconds ?? API_GATEWAY_QUOTAS.integrationTimeoutMs);
    const out = await answeredWithin(fn.invoke(event), timeoutMs);
    if (!out) {
      this.log({ function: fn.name, status: "running", durationMs: timeoutMs, detail: `no answer within the integration timeout (${timeoutMs} ms)` });
      return this.gatewayError(req, res, "INTEGRATION_TIMEOUT", "Endpoint request timed out", requestId);
    }
    if (out.refused) {
      // Lambda refused the event (over its 6 MB request quota): API Gateway's fixed 413, not customizable.
      this.log({ function: fn.name, status: out.refused.status, durationMs: 0, detail: `${out.refused.type}: ${out.refused.message}` });
      res.statusCode = 413;
      res.setHeader("content-type", "application/json");
      res.setHeader("x-amzn-errortype", "BadRequestException");
      res.setHeader("x-amzn-requestid", requestId);
      res.end(JSON.stringify({ message: "Request Too Long" }));
      return;
    }
    const result = out.result as APIGatewayProxyResult | undefined;
    // API Gateway's "Malformed Lambda proxy response": a status that is not a number, a body that is not a string.
    if (!out.ok || !result || typeof result.statusCode !== "number" || (result.body != null && typeof result.body !== "string")) {
      this.log({ function: fn.name, status: "error", durationMs: out.durationMs, detail: out.error?.message ?? "malformed Lambda proxy response" });
      res.statusCode = 502;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ message: "Internal server error" }));
      return;
    }
    this.log({ function: fn.name, status: result.statusCode, durationMs: out.durationMs });
    res.statusCode = result.statusCode;
    for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, String(v));
    for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) res.setHeader(k, v.map(String));
    res.setHeader("x-amzn-requestid", requestId);
    res.end(result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body);
  }

  private match(segments: string[]): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < route.segments.length && ok; i++) {
        const t = route.segments[i]!;
        if (t.endsWith("+}")) {
          const rest = segments.slice(i);
          ok = rest.length > 0 && rest.every((s) => s !== "");
          params[t.slice(1, -2)] = rest.join("/");
          if (ok) return { route, params };
        } else if (t.startsWith("{")) {
          ok = segments[i] !== undefined && segments[i] !== "";
          params[t.slice(1, -1)] = segments[i] ?? "";
        } else ok = segments[i] === t;
      }
      if (ok && segments.length === route.segments.length) return { route, params };
    }
    return undefined;
  }

  /** Whether a lambda permission of the api stack lets API Gateway invoke `functionName` from `sourceArn`. */
  private permits(functionName: string, sourceArn: string): boolean {
    return this.app.resources(this.stack, "aws_lambda_permission").some((p) => {
      if (p.body.principal !== "apigateway.amazonaws.com" || this.app.resolveString(this.stack, p.body.function_name) !== functionName) return false;
      return p.body.source_arn === undefined || matchesWildcard(this.app.resolveString(this.stack, p.body.source_arn), sourceArn);
    });
  }

  private functionFor(uri: unknown): LocalFunction | undefined {
    const target = this.app.target(this.stack, uri);
    return target ? this.functions.get(this.app.resolveString(target.stack, target.body.function_name)) : undefined;
  }

  private async authorize(method: ResolvedResource, req: IncomingMessage, methodArn: string, requestId: string): Promise<{ context: Record<string, unknown> } | { error: string; message: string }> {
    const authorizer = this.app.target(this.stack, method.body.authorizer_id);
    if (!authorizer) return { error: "AUTHORIZER_CONFIGURATION_ERROR", message: "Authorizer not found" };
    const header = String(authorizer.body.identity_source ?? "method.request.header.Authorization").replace("method.request.header.", "").toLowerCase();
    const token = req.headers[header];
    if (typeof token !== "string" || token === "") return { error: "UNAUTHORIZED", message: "Unauthorized" };
    const pattern = authorizer.body.identity_validation_expression;
    if (pattern && !new RegExp(String(pattern)).test(token)) return { error: "UNAUTHORIZED", message: "Unauthorized" };

    const ttl = Number(authorizer.body.authorizer_result_ttl_in_seconds ?? 300);
    let cached = ttl > 0 ? this.authCache.get(token) : undefined;
    if (cached && cached.expires < Date.now()) cached = undefined;
    let result = cached?.result;
    if (!result) {
      const fn = this.functionFor(authorizer.body.authorizer_uri);
      if (!fn) return { error: "AUTHORIZER_CONFIGURATION_ERROR", message: "Authorizer function not found" };
      if (!this.permits(fn.name, `${this.executionArn}/authorizers/${authorizer.name}`)) {
        this.log({ function: fn.name, status: 500, durationMs: 0, detail: "Execution failed due to configuration error: Invalid permissions on Lambda function" });
        return { error: "AUTHORIZER_CONFIGURATION_ERROR", message: "Internal server error" };
      }
      const out = await fn.invoke({ type: "TOKEN", authorizationToken: token, methodArn });
      this.log({ function: fn.name, status: out.ok ? "allow/deny" : out.error?.message ?? "error", durationMs: out.durationMs, detail: `request ${requestId}` });
      if (!out.ok) {
        // The exact message "Unauthorized" is API Gateway's 401; any other error is a configuration error (500).
        return out.error?.message === "Unauthorized" ? { error: "UNAUTHORIZED", message: "Unauthorized" } : { error: "AUTHORIZER_CONFIGURATION_ERROR", message: "Internal server error" };
      }
      const malformed = authorizerResultProblem(out.result);
      if (malformed) {
        this.log({ function: fn.name, status: 500, durationMs: out.durationMs, detail: `Execution failed due to configuration error: ${malformed}` });
        return { error: "AUTHORIZER_CONFIGURATION_ERROR", message: "Internal server error" };
      }
      result = out.result as AuthorizerResult;
      if (ttl > 0) this.authCache.set(token, { expires: Date.now() + ttl * 1000, result });
    }
    if (!allows(result, methodArn)) return { error: "ACCESS_DENIED", message: "User is not authorized to access this resource" };
    return { context: { ...(result.context ?? {}), principalId: result.principalId } };
  }

  private proxyEvent(req: IncomingMessage, url: URL, stage: string, match: { route: Route; params: Record<string, string> }, body: Buffer, requestId: string, authorizer?: Record<string, unknown>): APIGatewayProxyEvent {
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const [k, v] = [req.rawHeaders[i]!, req.rawHeaders[i + 1]!];
      headers[k] = v;
      (multiValueHeaders[k] ??= []).push(v);
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      query[k] = v;
      (multiQuery[k] ??= []).push(v);
    }
    const path = url.pathname.slice(stage.length + 1) || "/";
    const hasQuery = Object.keys(query).length > 0;
    return {
      resource: match.route.template,
      path,
      httpMethod: req.method ?? "GET",
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? query : null,
      multiValueQueryStringParameters: hasQuery ? multiQuery : null,
      // REST APIs pass path parameters as the client encoded them.
      pathParameters: Object.keys(match.params).length ? match.params : null,
      stageVariables: null,
      body: body.length ? body.toString("utf8") : null,
      isBase64Encoded: false,
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        apiId: LOCAL_API_ID,
        stage,
        requestId,
        httpMethod: req.method ?? "GET",
        resourcePath: match.route.template,
        path: url.pathname,
        protocol: "HTTP/1.1",
        requestTimeEpoch: Date.now(),
        resourceId: "local",
        identity: { sourceIp: req.socket.remoteAddress ?? "127.0.0.1", userAgent: req.headers["user-agent"] ?? null } as APIGatewayProxyEvent["requestContext"]["identity"],
        authorizer: authorizer ?? null,
      } as APIGatewayProxyEvent["requestContext"],
    };
  }

  private mock(integration: ResolvedResource, method: ResolvedResource, req: IncomingMessage, res: ServerResponse): void {
    const template = String(Object.values(integration.body.request_templates ?? {})[0] ?? '{"statusCode": 200}');
    const status = Number(/"statusCode"\s*:\s*(\d+)/.exec(template)?.[1] ?? 200);
    const response = this.app
      .resources(this.stack, "aws_api_gateway_integration_response")
      .find((r) => String(r.body.status_code) === String(status) && (String(r.body.http_method).startsWith(`\${${method.address}.`) || r.body.resource_id === method.body.resource_id && r.body.http_method === method.body.http_method));
    res.statusCode = status;
    for (const [name, value] of Object.entries((response?.body.response_parameters ?? {}) as Record<string, string>)) {
      res.setHeader(name.replace("method.response.header.", ""), String(value).replace(/^'|'$/g, ""));
    }
    let body = String(Object.values(response?.body.response_templates ?? {})[0] ?? "");
    // The allow-list echo (preflights and mocks): the VTL sets Access-Control-Allow-Origin for allowed origins only.
    if (body.startsWith(this.originTemplate)) {
      const origin = req.headers.origin;
      if (typeof origin === "string" && this.origins.includes(origin)) res.setHeader("Access-Control-Allow-Origin", origin);
      body = body.slice(this.originTemplate.length).replace(/^\n/, "");
    }
    if (body) res.setHeader("content-type", "application/json");
    this.log({ function: "(mock)", status, durationMs: 0, detail: `${req.method} ${req.method === "OPTIONS" ? "preflight" : req.url}` });
    res.end(req.method === "HEAD" || isVtl(body) ? "" : body);
  }

  private gatewayError(req: IncomingMessage, res: ServerResponse, type: string, message: string, requestId: string, extra: { validationErrorString?: string } = {}): void {
    const responses = this.app.resources(this.stack, "aws_api_gateway_gateway_response");
    const status = DEFAULT_STATUS[type] ?? 500;
    const specific = responses.find((r) => r.body.response_type === type) ?? responses.find((r) => r.body.response_type === (status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX"));
    res.statusCode = Number(specific?.body.status_code ?? status);
    for (const [name, value] of Object.entries((specific?.body.response_parameters ?? {}) as Record<string, string>)) {
      // A literal ('...') or a value mapped from the request (method.request.header.<name>), as API Gateway allows.
      const mapped = /^method\.request\.header\.(.+)$/.exec(String(value));
      const v = mapped ? req.headers[mapped[1]!.toLowerCase()] : String(value).replace(/^'|'$/g, "");
      if (typeof v === "string") res.setHeader(name.replace("gatewayresponse.header.", ""), v);
    }
    res.setHeader("content-type", "application/json");
    res.setHeader("x-amzn-errortype", type);
    res.setHeader("x-amzn-requestid", requestId);
    const template = String(Object.values(specific?.body.response_templates ?? {})[0] ?? '{"message":$context.error.messageString}');
    res.end(
      template
        .replace(/\$context\.error\.messageString/g, JSON.stringify(message))
        .replace(/\$context\.error\.responseType/g, type)
        .replace(/\$context\.error\.validationErrorString/g, extra.validationErrorString ?? "")
        .replace(/\$context\.requestId/g, requestId),
    );
    this.log({ function: "(api gateway)", status: res.statusCode, durationMs: 0, detail: type });
  }
}

interface AuthorizerResult {
  principalId: string;
  policyDocument: { Statement: Array<{ Effect: string; Action: string | string[]; Resource: string | string[] }> };
  context?: Record<string, unknown>;
}

/**
 * What makes API Gateway refuse an authorizer's output (500): no principalId, no policy document with statements,
 * or a context value that is not a string, number or boolean (objects and arrays are not passed on, the call fails).
 */
function authorizerResultProblem(result: unknown): string | undefined {
  const r = result as Partial<AuthorizerResult> | null | undefined;
  if (!r || typeof r !== "object") return "the authorizer returned no object";
  if (typeof r.principalId !== "string" || r.principalId === "") return "the authorizer's output has no principalId";
  if (!r.policyDocument?.Statement) return "the authorizer's output has no policyDocument with a Statement";
  const nested = Object.entries(r.context ?? {}).filter(([, v]) => !["string", "number", "boolean"].includes(typeof v));
  if (nested.length) return `the authorizer's context holds ${nested.map(([k]) => k).join(", ")}: only strings, numbers and booleans are allowed`;
  return undefined;
}

/** IAM-style evaluation of the authorizer's policy for this method ARN: an explicit Deny wins. */
function allows(result: AuthorizerResult, methodArn: string): boolean {
  const matches = (pattern: string) => matchesWildcard(pattern, methodArn);
  const statements = (result.policyDocument?.Statement ?? []).filter((s) => [s.Action].flat().some((a) => a === "execute-api:Invoke" || a === "*" || a === "execute-api:*") && [s.Resource].flat().some(matches));
  return statements.some((s) => s.Effect === "Allow") && !statements.some((s) => s.Effect === "Deny");
}

/** The invocation's result, or undefined when `ms` pass first (the invocation runs on, as the function does in Lambda). */
function answeredWithin(invocation: Promise<InvokeResult>, ms: number): Promise<InvokeResult | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([invocation, timeout]).finally(() => clearTimeout(timer));
}

function score(route: Route): number {
  return route.segments.reduce((n, s, i) => n + (s.startsWith("{") ? (s.endsWith("+}") ? 0 : 1) : 2) * 10 ** (6 - i), 0);
}

const isVtl = (template: string) => /(^|\n)\s*#(set|if|foreach)\b/.test(template);

