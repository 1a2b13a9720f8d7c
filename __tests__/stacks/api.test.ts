import { list, only, resources, synthEnv, type Synthesized } from "./synth";

describe.each(["dev", "prod"])("api stack (%s)", (env) => {
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s.cleanup());
  const stack = () => s.stacks[`ddn-${env}-api`]!;
  const stageName = env === "prod" ? "v1" : "dev";
  const methods = () => list(stack(), "aws_api_gateway_method");
  const method = (id: string) => resources(stack(), "aws_api_gateway_method")[id];

  test("matches the snapshot", () => {
    expect(stack()).toMatchSnapshot();
  });

  test("a REGIONAL REST API with the four routes", () => {
    expect(only(stack(), "aws_api_gateway_rest_api").endpoint_configuration.types).toEqual(["REGIONAL"]);
    const paths = list(stack(), "aws_api_gateway_resource").map((r) => r.path_part).sort();
    expect(paths).toEqual(["files", "health", "presign", "{key+}"]);
    expect(method("presign-get").http_method).toBe("GET");
    expect(method("files-get").http_method).toBe("GET");
    expect(method("health-get").http_method).toBe("GET");
    expect(method("root-head").http_method).toBe("HEAD");
  });

  test("Lambda proxy integrations for presign and status, mocks for health and HEAD /", () => {
    const i = resources(stack(), "aws_api_gateway_integration");
    expect(i["presign-get-integration"]).toMatchObject({ type: "AWS_PROXY", integration_http_method: "POST" });
    expect(i["presign-get-integration"].uri).toMatch(/presign_function_[0-9A-F]+invoke_arn\}$/);
    expect(i["files-get-integration"].uri).toMatch(/status_function_[0-9A-F]+invoke_arn\}$/);
    expect(i["health-get-integration"].type).toBe("MOCK");
    expect(i["root-head-integration"].type).toBe("MOCK");
  });

  test("OPTIONS preflight on every resource: mock, 204, no auth", () => {
    const options = methods().filter((m) => m.http_method === "OPTIONS");
    expect(options).toHaveLength(5); // root, presign, files, files/{key+}, health
    for (const m of options) expect(m.authorization).toBe("NONE");
    const responses = list(stack(), "aws_api_gateway_integration_response").filter((r) => r.status_code === "204");
    expect(responses).toHaveLength(5);
    for (const r of responses) {
      expect(r.response_parameters["method.response.header.Access-Control-Allow-Methods"]).toBe("'GET,HEAD,OPTIONS'");
    }
  });

  test("TOKEN authorizer guards /presign and /files, with the configured cache TTL", () => {
    const a = only(stack(), "aws_api_gateway_authorizer");
    expect(a).toMatchObject({ type: "TOKEN", identity_source: "method.request.header.Authorization" });
    expect(a.authorizer_result_ttl_in_seconds).toBe(env === "prod" ? 300 : 60);
    for (const id of ["presign-get", "files-get"]) {
      expect(method(id)).toMatchObject({ authorization: "CUSTOM", authorizer_id: "${aws_api_gateway_authorizer.jwt-authorizer.id}" });
    }
    expect(method("health-get").authorization).toBe("NONE");
  });

  test("/presign validates its required query parameter", () => {
    expect(method("presign-get").request_parameters["method.request.querystring.file"]).toBe(true);
    expect(method("presign-get").request_validator_id).toBe("${aws_api_gateway_request_validator.validate-parameters.id}");
    expect(only(stack(), "aws_api_gateway_request_validator").validate_request_parameters).toBe(true);
  });

  test("DEFAULT_4XX and DEFAULT_5XX carry CORS headers and the JSON error shape", () => {
    const g = list(stack(), "aws_api_gateway_gateway_response");
    for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      const r = g.find((x) => x.response_type === type);
      expect(r.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"]).toMatch(/^'https?:\/\//);
      expect(JSON.parse(r.response_templates["application/json"].replace("$context.error.messageString", '""'))).toHaveProperty("code");
    }
  });

  test("deployment: triggers hash every method, integration, authorizer and gateway response; create_before_destroy", () => {
    const d = only(stack(), "aws_api_gateway_deployment");
    expect(d.lifecycle).toEqual({ create_before_destroy: true });
    const hashed = d.triggers.redeployment as string;
    expect(hashed.startsWith("${sha1(jsonencode([")).toBe(true);
    const ids = (type: string) => Object.keys(resources(stack(), type)).map((k) => `${type}.${k}`);
    for (const type of ["aws_api_gateway_method", "aws_api_gateway_integration", "aws_api_gateway_authorizer", "aws_api_gateway_gateway_response", "aws_api_gateway_integration_response", "aws_api_gateway_resource"]) {
      for (const id of ids(type)) expect(hashed).toContain(id);
    }
  });

  test("stage with JSON access logs (requestId), X-Ray, throttling and metrics", () => {
    const st = only(stack(), "aws_api_gateway_stage");
    expect(st.stage_name).toBe(stageName);
    expect(st.xray_tracing_enabled).toBe(true);
    expect(JSON.parse(st.access_log_settings.format).requestId).toBe("$context.requestId");
    const logs = list(stack(), "aws_cloudwatch_log_group").find((g) => g.name === `/aws/apigateway/ddn-${env}-api/${stageName}`);
    expect(logs.retention_in_days).toBe(env === "prod" ? 365 : 30);
    const ms = only(stack(), "aws_api_gateway_method_settings");
    expect(ms.method_path).toBe("*/*");
    expect(ms.settings).toMatchObject({ metrics_enabled: true, data_trace_enabled: false, throttling_burst_limit: env === "prod" ? 200 : 50 });
  });

  test("Lambda permissions are scoped to this API's execution ARN", () => {
    const perms = list(stack(), "aws_lambda_permission");
    expect(perms).toHaveLength(3);
    for (const p of perms) {
      expect(p.principal).toBe("apigateway.amazonaws.com");
      expect(p.source_arn).toMatch(/^\$\{aws_api_gateway_rest_api\.rest-api\.execution_arn\}\//);
    }
  });

  test("outputs the invoke URL of each stage", () => {
    expect(stack().output?.[`invoke-url-${stageName}`].value).toBe(`\${aws_api_gateway_stage.stage-${stageName}.invoke_url}`);
  });

  test("the account-level CloudWatch setting only where the environment owns it", () => {
    expect(Object.keys(resources(stack(), "aws_api_gateway_account"))).toHaveLength(env === "dev" ? 1 : 0);
  });
});
