import { list, only, resources, synthEnv, type Synthesized } from "./synth";

const FUNCTIONS = ["presign", "process", "status", "authorize"];

describe.each(["dev", "prod"])("compute stack (%s)", (env) => {
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s.cleanup());
  const stack = () => s.stacks[`ddn-${env}-compute`]!;
  const fn = (name: string) => resources(stack(), "aws_lambda_function")[`${name}_function_${suffix(name)}`];
  const suffix = (name: string) => Object.keys(resources(stack(), "aws_lambda_function")).find((k) => k.startsWith(`${name}_function_`))!.split("_").pop();

  test("matches the snapshot", () => {
    expect(stack()).toMatchSnapshot();
  });

  test.each(FUNCTIONS)("%s: bundled zip asset, nodejs22.x on arm64, tracing, JSON logs", (name) => {
    const f = fn(name);
    expect(f).toMatchObject({
      function_name: `ddn-${env}-${name}`,
      handler: "index.handler",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      tracing_config: { mode: "Active" },
      logging_config: { log_format: "JSON" },
    });
    expect(f.filename).toMatch(new RegExp(`^assets/${name}_asset_[0-9A-F]{8}/[0-9a-f]{32}/function\\.zip$`));
    expect(f.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(f.role).toMatch(new RegExp(`cross-stack-reference-input-ddn-${env}-iam.outputs.*${name}-rolearn`));
  });

  test.each(FUNCTIONS)("%s: its log group exists first, with retention", (name) => {
    const f = fn(name);
    const groups = resources(stack(), "aws_cloudwatch_log_group");
    const [groupId] = Object.entries(groups).find(([, g]) => (g as any).name === `/aws/lambda/ddn-${env}-${name}`)!;
    expect(f.depends_on).toContain(`aws_cloudwatch_log_group.${groupId}`);
    expect((groups[groupId] as any).retention_in_days).toBe(env === "prod" ? 90 : 14);
  });

  test("memory and timeout per function from config", () => {
    expect(fn("process")).toMatchObject(env === "prod" ? { memory_size: 1024, timeout: 600 } : { memory_size: 512, timeout: 300 });
    expect(fn("presign")).toMatchObject({ memory_size: 256, timeout: 5 });
  });

  test("environment variables follow the handler contracts", () => {
    expect(Object.keys(fn("presign").environment.variables).sort()).toEqual(
      ["ALLOWED_ORIGINS", "IN_BUCKET", "NODE_OPTIONS", "OUT_BUCKET", "URL_EXPIRES_SECONDS"],
    );
    expect(Object.keys(fn("process").environment.variables).sort()).toEqual(["NODE_OPTIONS", "OUT_BUCKET", "TABLE_NAME"]);
    expect(Object.keys(fn("status").environment.variables).sort()).toEqual(["ALLOWED_ORIGINS", "NODE_OPTIONS", "TABLE_NAME"]);
    const auth = fn("authorize").environment.variables;
    if (env === "dev") expect(auth).toMatchObject({ JWT_SECRET_PARAM: "/ddn/dev/jwt-secret", JWT_ISSUER: "ddn-dev" });
    else expect(auth).toMatchObject({ JWKS_URL: "https://auth.example.com/.well-known/jwks.json" });
  });

  test("S3 may invoke process only from the in-bucket of this account", () => {
    const p = only(stack(), "aws_lambda_permission");
    expect(p).toMatchObject({ principal: "s3.amazonaws.com", action: "lambda:InvokeFunction" });
    expect(p.source_arn).toMatch(/in-bucketarn\}$/);
    expect(p.source_account).toBe("${data.aws_caller_identity.account.account_id}");
  });

  test("the bucket notification (ObjectCreated:*) depends on that permission", () => {
    const n = only(stack(), "aws_s3_bucket_notification");
    expect(n.lambda_function).toEqual([expect.objectContaining({ events: ["s3:ObjectCreated:*"] })]);
    expect(n.lambda_function[0].lambda_function_arn).toMatch(/^\$\{aws_lambda_function\.process_function_[0-9A-F]+\.arn\}$/);
    expect(n.depends_on).toEqual([`aws_lambda_permission.${Object.keys(resources(stack(), "aws_lambda_permission"))[0]}`]);
  });

  test("async failures of process go to an encrypted queue after bounded retries", () => {
    const cfg = only(stack(), "aws_lambda_function_event_invoke_config");
    expect(cfg.maximum_retry_attempts).toBe(2);
    expect(cfg.maximum_event_age_in_seconds).toBe(env === "prod" ? 21600 : 3600);
    expect(cfg.destination_config.on_failure.destination).toBe("${aws_sqs_queue.process-failures.arn}");
    expect(only(stack(), "aws_sqs_queue")).toMatchObject({ name: `ddn-${env}-process-failures`, sqs_managed_sse_enabled: true });
  });

  test("no API Gateway resources", () => {
    expect(Object.keys(stack().resource ?? {}).filter((t) => t.startsWith("aws_api_gateway"))).toEqual([]);
    expect(list(stack(), "aws_lambda_function")).toHaveLength(4);
  });
});
