import { DEFAULT_OBJECT_CREATED_EVENTS } from "../../pipeline/s3-filters";
import { ENVIRONMENTS, expected, list, resources, synthEnv, type Synthesized } from "./synth";

describe.each(ENVIRONMENTS)("compute stack (%s)", (env) => {
  const { config, names, functions } = expected(env);
  const eventDriven = functions.filter((f) => f.objectCreated?.length);
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s.cleanup());
  const stack = () => s.stacks[names.stack("compute")]!;
  const fnId = (name: string) => Object.keys(resources(stack(), "aws_lambda_function")).find((k) => k.startsWith(`${name}_function_`))!;
  const fn = (name: string) => resources(stack(), "aws_lambda_function")[fnId(name)];

  test("matches the snapshot", () => {
    expect(stack()).toMatchSnapshot();
  });

  test("exactly the declared functions, and no API Gateway resources", () => {
    expect(list(stack(), "aws_lambda_function").map((f) => f.function_name).sort()).toEqual(functions.map((f) => names.functionName(f.name)).sort());
    expect(Object.keys(stack().resource ?? {}).filter((t) => t.startsWith("aws_api_gateway"))).toEqual([]);
  });

  describe.each(functions.map((f) => [f.name, f] as const))("%s", (name, declared) => {
    test("bundled zip asset, nodejs22.x on arm64, tracing, JSON logs, its role", () => {
      const f = fn(name);
      expect(f).toMatchObject({
        function_name: names.functionName(name),
        description: declared.description,
        handler: "index.handler",
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        tracing_config: { mode: "Active" },
        logging_config: { log_format: "JSON" },
      });
      expect(f.filename).toMatch(new RegExp(`^assets/${name}_asset_[0-9A-F]{8}/[0-9a-f]{32}/function\\.zip$`));
      expect(f.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(f.role).toMatch(new RegExp(`cross-stack-reference-input-${names.stack("iam")}.outputs.*${name}-rolearn`));
    });

    test("memory and timeout: the declaration's defaults, or the environment's override", () => {
      const override = config.functions?.[name] ?? {};
      expect(fn(name)).toMatchObject({ memory_size: override.memoryMb ?? declared.memoryMb, timeout: override.timeoutSeconds ?? declared.timeoutSeconds });
    });

    test("its log group exists first, with the configured retention", () => {
      const groups = resources(stack(), "aws_cloudwatch_log_group");
      const [groupId, group] = Object.entries(groups).find(([, g]) => (g as any).name === names.logGroup(name))! as [string, any];
      expect(fn(name).depends_on).toContain(`aws_cloudwatch_log_group.${groupId}`);
      expect(group.retention_in_days).toBe(config.logRetentionDays);
    });

    test("environment: exactly the declared variables (+ origins for API functions, source maps)", () => {
      const keys = Object.keys(declared.environment ?? {});
      if (declared.routes?.length) keys.push("ALLOWED_ORIGINS", "KEY_SPACES");
      expect(Object.keys(fn(name).environment.variables).sort()).toEqual([...keys, "NODE_OPTIONS"].sort());
      for (const [k, v] of Object.entries(declared.environment ?? {})) if (typeof v === "string") expect(fn(name).environment.variables[k]).toBe(v);
      if (declared.routes?.length) expect(fn(name).environment.variables.ALLOWED_ORIGINS).toBe(config.allowedOrigins.join(","));
      if (declared.routes?.length) expect(fn(name).environment.variables.KEY_SPACES).toBe(config.api.auth.enabled ? "private" : "shared");
    });
  });

  test.each(eventDriven.map((f) => [f.name, f] as const))("%s: S3 may invoke it only from its buckets in this account; bounded retries; encrypted failure queue", (name, declared) => {
    const permissions = list(stack(), "aws_lambda_permission").filter((p) => p.function_name === `\${aws_lambda_function.${fnId(name)}.function_name}`);
    expect(permissions.map((p) => p.source_arn).sort()).toEqual([...new Set(declared.objectCreated!.map((o) => o.bucket))].map((b) => expect.stringMatching(new RegExp(`${b}-bucketarn\\}$`))));
    for (const p of permissions) expect(p).toMatchObject({ principal: "s3.amazonaws.com", action: "lambda:InvokeFunction", source_account: "${data.aws_caller_identity.account.account_id}" });
    const cfg = resources(stack(), "aws_lambda_function_event_invoke_config")[`${name}-async`];
    expect(cfg).toMatchObject({ maximum_retry_attempts: config.eventDelivery.maxRetryAttempts, maximum_event_age_in_seconds: config.eventDelivery.maxEventAgeSeconds });
    expect(cfg.destination_config.on_failure.destination).toBe(`\${aws_sqs_queue.${name}-failures.arn}`);
    expect(resources(stack(), "aws_sqs_queue")[`${name}-failures`]).toMatchObject({ name: names.failureQueue(name), sqs_managed_sse_enabled: true });
  });

  test("one notification per bucket holding every declared subscription, after the permissions it needs", () => {
    const notifications = list(stack(), "aws_s3_bucket_notification");
    const buckets = [...new Set(eventDriven.flatMap((f) => f.objectCreated!.map((o) => o.bucket)))];
    expect(notifications).toHaveLength(buckets.length);
    for (const b of buckets) {
      const n = resources(stack(), "aws_s3_bucket_notification")[`${b}-bucket-notification`];
      expect(n.bucket).toMatch(new RegExp(`${b}-bucketid\\}$`));
      const declared = eventDriven.flatMap((f) => f.objectCreated!.filter((o) => o.bucket === b).map((o) => ({ f: f.name, o })));
      expect(n.lambda_function).toHaveLength(declared.length);
      for (const { f, o } of declared) {
        expect(n.lambda_function).toContainEqual(
          expect.objectContaining({
            lambda_function_arn: `\${aws_lambda_function.${fnId(f)}.arn}`,
            events: [...(o.events ?? DEFAULT_OBJECT_CREATED_EVENTS)],
            ...(o.prefix ? { filter_prefix: o.prefix } : {}),
            ...(o.suffix ? { filter_suffix: o.suffix } : {}),
          }),
        );
        expect(n.depends_on).toContain(`aws_lambda_permission.${f}-s3-${b}-permission`);
      }
    }
  });
});
