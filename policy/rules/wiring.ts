import { filtersOverlap, type NotificationFilter } from "../../pipeline/s3-filters";
import { matchesWildcard } from "../../synth/arn-pattern";
import { asList, type ResourceRef, type StackView } from "../../synth/stack-view";
import type { Finding, Rule } from "../types";
import { resourcePath } from "./apigateway";

/**
 * Which function an expression names, whatever attribute it reads: "${aws_lambda_function.f.invoke_arn}" and
 * "${aws_lambda_function.f.function_name}" (or the same through a cross-stack output) are the same function.
 */
function functionKey(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const local = /^\$\{aws_lambda_function\.([A-Za-z0-9_-]+)\.(?:invoke_arn|function_name|arn)\}$/.exec(value);
  if (local) return `aws_lambda_function.${local[1]}`;
  const remote = /^\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.cross-stack-output-aws_lambda_function(.+?)(?:invoke_arn|function_name|arn)\}$/.exec(value);
  return remote ? `${remote[1]}:aws_lambda_function.${remote[2]}` : undefined;
}

/** The stack's permissions letting API Gateway invoke the function `key`, as [source ARN pattern or undefined]. */
function apiGatewayGrants(stack: StackView, key: string): Array<string | undefined> {
  return stack
    .resources("aws_lambda_permission")
    .filter((p) => p.body.principal === "apigateway.amazonaws.com" && functionKey(p.body.function_name) === key && ["lambda:InvokeFunction", "lambda:*"].includes(p.body.action))
    .map((p) => (p.body.source_arn === undefined ? undefined : String(p.body.source_arn)));
}

/** True when one of the grants covers `arnSuffix` of the API `api` (a source ARN like "${...execution_arn}/*\/GET/files/*"). */
function granted(grants: Array<string | undefined>, api: string | undefined, arnSuffix: string): boolean {
  const executionArn = api ? `\${${api}.execution_arn}` : undefined;
  return grants.some((g) => g === undefined || (executionArn !== undefined && g.startsWith(executionArn) && matchesWildcard(g.slice(executionArn.length), arnSuffix)));
}

const restApiOf = (stack: StackView, value: unknown): string | undefined => stack.referenced(value, "aws_api_gateway_rest_api")?.address;

function notificationFilters(n: ResourceRef): Array<{ id: string; filter: NotificationFilter }> {
  return ["lambda_function", "queue", "topic"].flatMap((kind) =>
    asList(n.body[kind]).map((t: any, i) => ({
      id: `${kind}[${i}]${t?.id ? ` "${t.id}"` : ""}`,
      filter: { events: asList(t?.events), prefix: String(t?.filter_prefix ?? ""), suffix: String(t?.filter_suffix ?? "") },
    })),
  );
}

export const wiringRules: Rule[] = [
  {
    id: "WIRING.1",
    title: "Bucket notification depends on its Lambda permission",
    rationale: "S3 validates the destination when the notification is written; without the permission first, apply fails (or races).",
    fix: "Add the aws_lambda_permission (principal s3.amazonaws.com) for the target function to the notification's depends_on.",
    checkov: "—",
    cdkNag: "—",
    check(stack) {
      return stack.resources("aws_s3_bucket_notification").flatMap((n): Finding[] =>
        asList(n.body.lambda_function).flatMap((target: any): Finding[] => {
          const fn = stack.referenced(target?.lambda_function_arn, "aws_lambda_function");
          const permissions = stack
            .resources("aws_lambda_permission")
            .filter((p) => p.body.principal === "s3.amazonaws.com" && (fn ? String(p.body.function_name).startsWith(`\${${fn.address}.`) : true));
          const ok = permissions.some((p) => asList(n.body.depends_on).includes(p.address));
          return ok ? [] : [{ address: n.address, message: `does not depend on an S3 invoke permission for ${fn?.address ?? "its function"}` }];
        }),
      );
    },
  },
  {
    id: "WIRING.2",
    title: "Every Lambda integration and authorizer has a permission matching its source ARN",
    rationale: "Without it API Gateway answers 500 (\"Invalid permissions on Lambda function\") on AWS, while synth, plan and apply all succeed.",
    fix: 'Add aws_lambda_permission { principal = "apigateway.amazonaws.com", function_name = <the function>, source_arn = "${<rest api>.execution_arn}/*/<METHOD>/<path with * for parameters>" } (authorizers: ".../authorizers/<authorizer id>").',
    checkov: "—",
    cdkNag: "—",
    check(stack) {
      const findings: Finding[] = [];
      for (const integration of stack.resources("aws_api_gateway_integration")) {
        if (!["AWS_PROXY", "AWS"].includes(integration.body.type)) continue;
        const key = functionKey(integration.body.uri);
        if (!key) continue; // not a Lambda integration the gate can follow
        const method = stack.referenced(integration.body.http_method, "aws_api_gateway_method");
        const verb = String(method?.body.http_method ?? integration.body.http_method);
        const path = resourcePath(stack, integration.body.resource_id);
        if (path === undefined) continue;
        // A sample request of this method: any stage, any value for each path parameter.
        const sample = `/STAGE/${verb === "ANY" ? "GET" : verb}/${path.split("/").filter(Boolean).map((s) => (s.startsWith("{") ? "SAMPLE" : s)).join("/")}`;
        if (!granted(apiGatewayGrants(stack, key), restApiOf(stack, integration.body.rest_api_id), sample)) {
          findings.push({ address: integration.address, message: `${verb} ${path || "/"} invokes ${key} but no aws_lambda_permission lets API Gateway call it from that method` });
        }
      }
      for (const authorizer of stack.resources("aws_api_gateway_authorizer")) {
        const key = functionKey(authorizer.body.authorizer_uri);
        if (!key) continue;
        if (!granted(apiGatewayGrants(stack, key), restApiOf(stack, authorizer.body.rest_api_id), `/authorizers/\${${authorizer.address}.id}`)) {
          findings.push({ address: authorizer.address, message: `invokes ${key} but no aws_lambda_permission lets API Gateway call it as this authorizer` });
        }
      }
      return findings;
    },
  },
  {
    id: "WIRING.3",
    title: "One notification per bucket, and no two of its rules overlap",
    rationale: "S3 refuses a notification configuration whose rules overlap for an event type, and a second notification resource silently replaces the first.",
    fix: "Keep one aws_s3_bucket_notification per bucket and give rules for the same event type prefixes or suffixes that cannot both match one key (or fan out through EventBridge).",
    checkov: "—",
    cdkNag: "—",
    check(stack) {
      const findings: Finding[] = [];
      const byBucket = new Map<string, string>();
      for (const n of stack.resources("aws_s3_bucket_notification")) {
        const bucket = String(n.body.bucket);
        const other = byBucket.get(bucket);
        if (other) findings.push({ address: n.address, message: `is a second notification for the bucket of ${other}; the last one written wins` });
        byBucket.set(bucket, n.address);
        const rules = notificationFilters(n);
        for (let i = 0; i < rules.length; i++) {
          for (let j = i + 1; j < rules.length; j++) {
            if (filtersOverlap(rules[i]!.filter, rules[j]!.filter)) findings.push({ address: n.address, message: `rules ${rules[i]!.id} and ${rules[j]!.id} overlap (same event type, overlapping prefix and suffix)` });
          }
        }
      }
      return findings;
    },
  },
  {
    id: "WIRING.4",
    title: "A stage that logs depends on the account's CloudWatch role setting",
    rationale: "Stage access logs and execution logging need API Gateway's account-wide CloudWatch role; without it stage creation fails (\"CloudWatch Logs role ARN must be set in account settings\") in any account or region the setting was never made in.",
    fix: "Give the stage a lifecycle precondition on the bootstrap's logs role (data.aws_iam_roles), or depends_on the aws_api_gateway_account in the same stack.",
    checkov: "—",
    cdkNag: "—",
    check(stack) {
      const logging = new Set(
        stack
          .resources("aws_api_gateway_method_settings")
          .filter((m) => asList(m.body.settings).some((x: any) => x?.logging_level && x.logging_level !== "OFF"))
          .map((m) => String(m.body.stage_name)),
      );
      return stack.resources("aws_api_gateway_stage").flatMap((stage): Finding[] => {
        const logs = asList(stage.body.access_log_settings).length > 0 || [...logging].some((ref) => ref.includes(`${stage.address}.`) || ref === stage.body.stage_name);
        if (!logs) return [];
        const precondition = asList(stage.body.lifecycle?.precondition).some((p: any) => String(p?.condition).includes("data.aws_iam_roles."));
        const dependsOnSetting = asList(stage.body.depends_on).some((d) => String(d).startsWith("aws_api_gateway_account."));
        return precondition || dependsOnSetting ? [] : [{ address: stage.address, message: "logs without depending on the account's CloudWatch role setting" }];
      });
    },
  },
  {
    id: "WIRING.5",
    title: "Every failure destination has an alarm that notifies someone",
    rationale: "Events that exhaust their retries land in the failure queue; without an alarm on it nobody knows, and they expire unseen.",
    fix: "Add an aws_cloudwatch_metric_alarm on AWS/SQS ApproximateNumberOfMessagesVisible (or ApproximateAgeOfOldestMessage) of the queue, with alarm_actions naming an SNS topic.",
    checkov: "—",
    cdkNag: "—",
    check(stack) {
      const alarmed = new Set(
        stack
          .resources("aws_cloudwatch_metric_alarm")
          .filter((a) => a.body.namespace === "AWS/SQS" && asList(a.body.alarm_actions).length > 0)
          .map((a) => stack.referenced(a.body.dimensions?.QueueName, "aws_sqs_queue")?.address)
          .filter(Boolean),
      );
      return stack.resources("aws_lambda_function_event_invoke_config").flatMap((c): Finding[] => {
        const destination = asList(c.body.destination_config).flatMap((d: any) => asList(d?.on_failure)).map((f: any) => f?.destination)[0];
        const queue = stack.referenced(destination, "aws_sqs_queue");
        if (!queue) return [];
        return alarmed.has(queue.address) ? [] : [{ address: queue.address, message: "failure destination without an alarm" }];
      });
    },
  },
  {
    id: "WIRING.6",
    title: "SNS topics are not encrypted with the AWS managed key alias/aws/sns",
    rationale: "CloudWatch alarms (and EventBridge, S3 events ...) cannot publish to a topic encrypted with alias/aws/sns: its key policy cannot admit them, so every notification silently fails.",
    fix: "Encrypt the topic with a customer managed KMS key whose policy allows the publishing service kms:Decrypt and kms:GenerateDataKey* (constructs/alarm-topic.ts).",
    checkov: "CKV_AWS_26 (encryption only)",
    cdkNag: "AwsSolutions-SNS2 (encryption only)",
    check(stack) {
      return stack
        .resources("aws_sns_topic")
        .filter((t) => String(t.body.kms_master_key_id ?? "").endsWith("alias/aws/sns"))
        .map((t) => ({ address: t.address, message: "encrypted with alias/aws/sns: CloudWatch alarms cannot publish to it" }));
    },
  },
];
