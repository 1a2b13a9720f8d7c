import { ACCOUNT_ROLE_PATH, apiGatewayLogsRoleName } from "../../config/bootstrap";
import { methodArnPath } from "../../constructs/method-arn-path";
import { ENVIRONMENTS, expected, list, only, resources, synthEnv, type Synthesized } from "./synth";

/** The path of an aws_api_gateway_resource, from its path_part chain. */
function pathOf(stack: any, resourceId: string): string {
  const m = /^\$\{aws_api_gateway_resource\.([^.]+)\.id\}$/.exec(resourceId);
  if (!m) return "";
  const r = stack.resource.aws_api_gateway_resource[m[1]!];
  return `${pathOf(stack, r.parent_id)}/${r.path_part}`;
}

describe.each(ENVIRONMENTS)("api stack (%s)", (env) => {
  const { config, names, functions } = expected(env);
  const routes = functions.flatMap((f) => (f.routes ?? []).map((r) => ({ ...r, fn: f.name })));
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s.cleanup());
  const stack = () => s.stacks[names.stack("api")]!;
  const methods = () =>
    Object.entries(resources(stack(), "aws_api_gateway_method")).map(([id, m]: [string, any]) => ({ id, ...m, path: pathOf(stack(), m.resource_id) || "/" }));
  const methodFor = (method: string, path: string) => methods().find((m) => m.http_method === method && m.path === path)!;
  const integrationOf = (m: { id: string }) => list(stack(), "aws_api_gateway_integration").find((i) => i.http_method === `\${aws_api_gateway_method.${m.id}.http_method}`);

  test("matches the snapshot", () => {
    expect(stack()).toMatchSnapshot();
  });

  test("a REGIONAL REST API with exactly the declared routes plus the health mocks", () => {
    expect(only(stack(), "aws_api_gateway_rest_api").endpoint_configuration.types).toEqual(["REGIONAL"]);
    const served = methods().filter((m) => m.http_method !== "OPTIONS").map((m) => `${m.http_method} ${m.path}`).sort();
    expect(served).toEqual([...routes.map((r) => `${r.method} ${r.path}`), "GET /health", "HEAD /"].sort());
  });

  test.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))("%s: proxy integration, authorizer, validation and a permission for exactly this method", (_label, r) => {
    const m = methodFor(r.method, r.path);
    const integration = integrationOf(m);
    expect(integration).toMatchObject({ type: "AWS_PROXY", integration_http_method: "POST" });
    expect(integration.uri).toMatch(new RegExp(`${r.fn}_function_[0-9A-F]+invoke_arn\\}$`));
    if (config.api.auth.enabled && r.auth !== false) {
      expect(m).toMatchObject({ authorization: "CUSTOM", authorizer_id: "${aws_api_gateway_authorizer.jwt-authorizer.id}" });
    } else {
      expect(m.authorization).toBe("NONE");
    }
    for (const [name, required] of Object.entries(r.query ?? {})) expect(m.request_parameters[`method.request.querystring.${name}`]).toBe(required);
    if (Object.values(r.query ?? {}).some(Boolean)) expect(m.request_validator_id).toBe("${aws_api_gateway_request_validator.validate-parameters.id}");
    const permissions = list(stack(), "aws_lambda_permission").filter((p) => new RegExp(`${r.fn}_function_[0-9A-F]+function_name\\}$`).test(p.function_name));
    expect(permissions.map((p) => p.source_arn)).toContain(`\${aws_api_gateway_rest_api.rest-api.execution_arn}/*/${methodArnPath(r.method, r.path)}`);
    for (const p of permissions) expect(p.principal).toBe("apigateway.amazonaws.com");
  });

  test("a CORS preflight on every resource that has methods, listing exactly those methods", () => {
    const byPath = new Map<string, Set<string>>();
    for (const m of methods()) byPath.set(m.path, (byPath.get(m.path) ?? new Set()).add(m.http_method));
    for (const [path, verbs] of byPath) {
      expect({ path, options: verbs.has("OPTIONS") }).toEqual({ path, options: true });
      const preflight = methodFor("OPTIONS", path);
      expect(preflight.authorization).toBe("NONE");
      const response = list(stack(), "aws_api_gateway_integration_response").find((ir) => ir.http_method === `\${aws_api_gateway_method.${preflight.id}.http_method}`);
      expect(response.status_code).toBe("204");
      expect(response.response_parameters["method.response.header.Access-Control-Allow-Methods"].replace(/'/g, "").split(",").sort()).toEqual([...verbs].sort());
      expect(response.response_parameters["method.response.header.Access-Control-Allow-Origin"]).toBe(`'${config.allowedOrigins[0]}'`);
    }
  });

  test("the mocks (GET /health, HEAD /) answer allowed origins with the preflight's allow-list echo", () => {
    for (const [method, path] of [["GET", "/health"], ["HEAD", "/"]] as const) {
      const m = methodFor(method, path);
      const ir = list(stack(), "aws_api_gateway_integration_response").find((r) => r.http_method === `\${aws_api_gateway_method.${m.id}.http_method}`);
      expect(ir.response_parameters["method.response.header.Access-Control-Allow-Origin"]).toBe(`'${config.allowedOrigins[0]}'`);
      expect(ir.response_templates["application/json"]).toContain(`#set($allowed = [${config.allowedOrigins.map((o) => `"${o}"`).join(",")}])`);
      const mr = list(stack(), "aws_api_gateway_method_response").find((r) => r.http_method === `\${aws_api_gateway_method.${m.id}.http_method}`);
      expect(mr.response_parameters["method.response.header.Access-Control-Allow-Origin"]).toBe(true);
    }
  });

  test("the TOKEN authorizer (when auth is on): the declared header, the configured cache TTL, its own permission", () => {
    const authorizers = list(stack(), "aws_api_gateway_authorizer");
    if (!config.api.auth.enabled) return expect(authorizers).toEqual([]);
    const a = only(stack(), "aws_api_gateway_authorizer");
    const declared = functions.find((f) => f.authorizer)!;
    expect(a).toMatchObject({ type: "TOKEN", identity_source: `method.request.header.${declared.authorizer!.header}`, authorizer_result_ttl_in_seconds: config.api.auth.cacheTtlSeconds });
    const permission = list(stack(), "aws_lambda_permission").find((p) => p.statement_id === "AllowApiGatewayAuthorizer");
    expect(permission.source_arn).toBe("${aws_api_gateway_rest_api.rest-api.execution_arn}/authorizers/${aws_api_gateway_authorizer.jwt-authorizer.id}");
  });

  test("gateway responses echo the request's Origin (readable by every allowed origin) in the JSON error shape", () => {
    const g = list(stack(), "aws_api_gateway_gateway_response");
    for (const type of ["DEFAULT_4XX", "DEFAULT_5XX", "BAD_REQUEST_PARAMETERS"]) {
      const r = g.find((x) => x.response_type === type);
      expect(r.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"]).toBe("method.request.header.Origin");
      expect(r.response_parameters["gatewayresponse.header.Access-Control-Allow-Credentials"]).toBeUndefined();
      expect(JSON.parse(r.response_templates["application/json"].replace("$context.error.messageString", '""'))).toHaveProperty("code");
    }
  });

  test("deployment: triggers hash every resource, method, integration, authorizer and gateway response; create_before_destroy", () => {
    const d = only(stack(), "aws_api_gateway_deployment");
    expect(d.lifecycle).toEqual({ create_before_destroy: true });
    const hashed = d.triggers.redeployment as string;
    expect(hashed.startsWith("${sha1(jsonencode([")).toBe(true);
    const ids = (type: string) => Object.keys(resources(stack(), type)).map((k) => `${type}.${k}`);
    for (const type of ["aws_api_gateway_method", "aws_api_gateway_integration", "aws_api_gateway_authorizer", "aws_api_gateway_gateway_response", "aws_api_gateway_integration_response", "aws_api_gateway_resource", "aws_api_gateway_request_validator"]) {
      for (const id of ids(type)) expect(hashed).toContain(id);
    }
    // The deployment waits for exactly what it hashes.
    expect(d.depends_on).toEqual(hashed.slice("${sha1(jsonencode([".length, -"]))}".length).split(", "));
  });

  test.each(config.api.stages)("stage %s: JSON access logs (requestId), X-Ray, throttling and metrics from config", (stageName) => {
    const st = resources(stack(), "aws_api_gateway_stage")[`stage-${stageName}`];
    expect(st.xray_tracing_enabled).toBe(true);
    expect(JSON.parse(st.access_log_settings.format).requestId).toBe("$context.requestId");
    const logs = list(stack(), "aws_cloudwatch_log_group").find((g) => g.name === `${names.accessLogGroup}/${stageName}`);
    expect(logs.retention_in_days).toBe(config.api.accessLogRetentionDays);
    const ms = resources(stack(), "aws_api_gateway_method_settings")[`stage-${stageName}-settings`];
    expect(ms.method_path).toBe("*/*");
    expect(ms.settings).toMatchObject({ metrics_enabled: true, data_trace_enabled: false, throttling_burst_limit: config.api.throttle.burstLimit, throttling_rate_limit: config.api.throttle.rateLimit });
    expect(stack().output?.[`invoke-url-${stageName}`].value).toBe(`\${aws_api_gateway_stage.stage-${stageName}.invoke_url}`);
  });

  test("every Lambda permission is scoped to this API's execution ARN", () => {
    const perms = list(stack(), "aws_lambda_permission");
    expect(perms).toHaveLength(routes.length + (config.api.auth.enabled ? 1 : 0));
    for (const p of perms) {
      expect(p.principal).toBe("apigateway.amazonaws.com");
      expect(p.source_arn).toMatch(/^\$\{aws_api_gateway_rest_api\.rest-api\.execution_arn\}\//);
    }
  });

  test("each stage's execution log group exists before logging is on, with the API logs' retention", () => {
    const groups = resources(stack(), "aws_cloudwatch_log_group");
    for (const stageName of config.api.stages) {
      const g = groups[`execution-logs-${stageName}`];
      expect(g.name).toBe(`API-Gateway-Execution-Logs_\${aws_api_gateway_rest_api.rest-api.id}/${stageName}`);
      expect(g.retention_in_days).toBe(config.api.accessLogRetentionDays);
      expect(resources(stack(), "aws_api_gateway_method_settings")[`stage-${stageName}-settings`].depends_on).toEqual([`aws_cloudwatch_log_group.execution-logs-${stageName}`]);
    }
  });

  test("stages with logging depend on the bootstrap's account setting: a plan-time precondition on its logs role", () => {
    expect(resources(stack(), "aws_api_gateway_account")).toEqual({});
    const roles = Object.values((stack().data as Record<string, Record<string, unknown>>).aws_iam_roles!)[0] as Record<string, unknown>;
    expect(roles).toMatchObject({ path_prefix: ACCOUNT_ROLE_PATH, name_regex: `^${apiGatewayLogsRoleName(config.app, config.region)}$` });
    for (const stageName of config.api.stages) {
      const stage = resources(stack(), "aws_api_gateway_stage")[`stage-${stageName}`];
      expect(stage.access_log_settings).toBeDefined();
      expect(stage.lifecycle.precondition).toEqual([
        { condition: "${length(data.aws_iam_roles.api-gateway-logs-role.names) == 1}", error_message: expect.stringContaining("apply the bootstrap stack first") },
      ]);
    }
  });
});
