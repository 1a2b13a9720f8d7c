import { alarmSettings } from "../../config/alarms";
import { evaluate } from "../../policy/engine";
import { gateOptions } from "../../policy/gate-options";
import { loadFunctions } from "../../pipeline/registry";
import { ENVIRONMENTS, expected, resources, synthEnv, type Synthesized } from "./synth";

// Someone is told when something fails: every alarm notifies the environment's encrypted topic.
describe.each(ENVIRONMENTS)("alarms (%s)", (env) => {
  const { config, names } = expected(env);
  const alarms = alarmSettings(config);
  const functions = loadFunctions(config);
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s.cleanup());
  const stack = (part: "storage" | "compute" | "api") => s.stacks[names.stack(part)]!;
  const alarm = (part: "storage" | "compute" | "api", id: string) => resources(stack(part), "aws_cloudwatch_metric_alarm")[id];
  const topicRef = (part: string) => (part === "storage" ? "${aws_sns_topic.alarm-topic.arn}" : expect.stringContaining("alarm-topic"));

  test("one topic CloudWatch can publish to: a customer managed key and a topic policy that admit it; the configured subscriptions", () => {
    // alias/aws/sns would silently swallow every notification (its key policy cannot admit CloudWatch).
    expect(resources(stack("storage"), "aws_sns_topic")["alarm-topic"]).toMatchObject({ name: names.alarmTopic, kms_master_key_id: "${aws_kms_key.alarm-topic-key.arn}" });
    const key = resources(stack("storage"), "aws_kms_key")["alarm-topic-key"];
    expect(key.enable_key_rotation).toBe(true);
    const cw = JSON.parse(key.policy).Statement.find((st: any) => st.Sid === "CloudWatchAlarmsPublish");
    expect(cw).toMatchObject({ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"] });
    const topicPolicy = JSON.parse(resources(stack("storage"), "aws_sns_topic_policy")["alarm-topic-policy"].policy).Statement[0];
    expect(topicPolicy).toMatchObject({ Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "${aws_sns_topic.alarm-topic.arn}" });
    const subs = Object.values(resources(stack("storage"), "aws_sns_topic_subscription")).map((x: any) => [x.protocol, x.endpoint]);
    expect(subs).toEqual([...alarms.email.map((e) => ["email", e]), ...alarms.https.map((e) => ["https", e])]);
  });

  test("every alarm notifies the topic on alarm and on recovery, and treats no data as fine", () => {
    for (const part of ["storage", "compute", "api"] as const) {
      for (const a of Object.values(resources(stack(part), "aws_cloudwatch_metric_alarm")) as any[]) {
        expect(a.alarm_actions).toEqual([topicRef(part)]);
        expect(a.ok_actions).toEqual([topicRef(part)]);
        expect(a.treat_missing_data).toBe("notBreaching");
        expect(a.alarm_name.startsWith(`${names.prefix}-`)).toBe(true);
      }
    }
  });

  test("failure queues: any waiting event alarms at once, and says how to replay", () => {
    for (const fn of functions.filter((f) => f.objectCreated?.length)) {
      const a = alarm("compute", `${fn.name}-failures-alarm`);
      expect(a).toMatchObject({ namespace: "AWS/SQS", metric_name: "ApproximateNumberOfMessagesVisible", statistic: "Maximum", threshold: 0, comparison_operator: "GreaterThanThreshold", evaluation_periods: 1 });
      expect(a.dimensions.QueueName).toBe(`\${aws_sqs_queue.${fn.name}-failures.name}`);
      expect(a.alarm_description).toContain(`npm run redrive -- --env ${env}`);
    }
  });

  test("functions: errors of every function, throttles of event-driven ones", () => {
    for (const fn of functions) {
      expect(alarm("compute", `${fn.name}-errors`)).toMatchObject({ namespace: "AWS/Lambda", metric_name: "Errors", dimensions: { FunctionName: names.functionName(fn.name) }, threshold: 0 });
      const throttles = alarm("compute", `${fn.name}-throttles`);
      if (fn.objectCreated?.length) expect(throttles).toMatchObject({ metric_name: "Throttles", threshold: 0 });
      else expect(throttles).toBeUndefined();
    }
  });

  test("API: 5xx rate and p99 latency per stage, over the configured window", () => {
    for (const stage of config.api.stages) {
      const window = { period: alarms.periodSeconds, evaluation_periods: alarms.evaluationPeriods, datapoints_to_alarm: alarms.datapointsToAlarm };
      expect(alarm("api", `stage-${stage}-5xx-rate`)).toMatchObject({ namespace: "AWS/ApiGateway", metric_name: "5XXError", statistic: "Average", threshold: alarms.api5xxRate, dimensions: { ApiName: names.api, Stage: stage }, ...window });
      expect(alarm("api", `stage-${stage}-latency-p99`)).toMatchObject({ metric_name: "Latency", extended_statistic: "p99", threshold: alarms.apiLatencyP99Ms, ...window });
    }
  });

  test("DynamoDB: read and write throttles of the files table", () => {
    for (const kind of ["read", "write"]) {
      expect(alarm("storage", `files-table-${kind}-throttles`)).toMatchObject({ namespace: "AWS/DynamoDB", metric_name: `${kind === "read" ? "Read" : "Write"}ThrottleEvents`, dimensions: { TableName: "${aws_dynamodb_table.files-table.name}" } });
    }
  });

  test("the gate's WIRING.5 finds these alarms, and fires without them", () => {
    const compute = JSON.parse(JSON.stringify(stack("compute")));
    const ids = (v: ReturnType<typeof evaluate>) => v.violations.filter((x) => x.ruleId === "WIRING.5").map((x) => x.address);
    expect(ids(evaluate(compute, gateOptions(config, functions)))).toEqual([]);
    for (const fn of functions.filter((f) => f.objectCreated?.length)) delete compute.resource.aws_cloudwatch_metric_alarm[`${fn.name}-failures-alarm`];
    expect(ids(evaluate(compute, gateOptions(config, functions)))).toEqual(functions.filter((f) => f.objectCreated?.length).map((f) => `aws_sqs_queue.${f.name}-failures`));
  });
});
