import { asList, block, type ResourceRef, type StackView } from "../../synth/stack-view";
import { LAMBDA_QUOTAS } from "../../config/aws-quotas";
import { environmentSizeBound } from "../resolved-size";
import type { Finding, Rule } from "../types";

/** Runtimes AWS currently supports for new functions; older ones are deprecated or blocked. */
const SUPPORTED_RUNTIMES = new Set(["nodejs20.x", "nodejs22.x", "python3.11", "python3.12", "python3.13", "java17", "java21", "dotnet8", "ruby3.3", "ruby3.4", "provided.al2023", "provided.al2"]);

/** Lambda's pattern for an environment variable's key. */
const ENVIRONMENT_KEY = /^[a-zA-Z][a-zA-Z0-9_]+$/;
/**
 * Keys the Lambda runtime sets, which a function's configuration may not ("…contains reserved keys that are currently
 * not supported for modification"). TZ, listed beside them in the documentation, is accepted and so not here.
 */
const RESERVED_ENVIRONMENT_KEYS = new Set([
  "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT",
]);

/** Functions that S3 (or another event source) invokes asynchronously, per the stack's notifications. */
function eventDrivenFunctions(stack: StackView): ResourceRef[] {
  const targets = stack.resources("aws_s3_bucket_notification").flatMap((n) => asList(n.body.lambda_function).map((l: any) => stack.referenced(l?.lambda_function_arn, "aws_lambda_function")));
  return targets.filter((f): f is ResourceRef => f !== undefined);
}

export const lambdaRules: Rule[] = [
  {
    id: "LAMBDA.1",
    title: "Supported runtime",
    rationale: "Deprecated runtimes stop receiving security patches and later block updates.",
    fix: `Use a supported runtime (${[...SUPPORTED_RUNTIMES].slice(0, 2).join(", ")}, ...).`,
    checkov: "CKV_AWS_363",
    cdkNag: "AwsSolutions-L1",
    check(stack) {
      return stack
        .resources("aws_lambda_function")
        .filter((f) => f.body.package_type !== "Image" && !SUPPORTED_RUNTIMES.has(f.body.runtime))
        .map((f) => ({ address: f.address, message: `runtime "${f.body.runtime ?? "(none)"}" is not supported` }));
    },
  },
  {
    id: "LAMBDA.2",
    title: "Active X-Ray tracing",
    rationale: "Traces connect an API request to the function, S3 and DynamoDB calls it made.",
    fix: 'Set tracing_config { mode = "Active" }.',
    checkov: "CKV_AWS_50",
    cdkNag: "Serverless-LambdaTracing",
    check(stack) {
      return stack.resources("aws_lambda_function").filter((f) => block(f.body.tracing_config)?.mode !== "Active").map((f) => ({ address: f.address, message: "tracing is not Active" }));
    },
  },
  {
    id: "LAMBDA.3",
    title: "Own log group with retention, created before the function",
    rationale: "Otherwise Lambda creates the group itself on first run, with infinite retention and outside Terraform.",
    fix: "Create aws_cloudwatch_log_group /aws/lambda/<name> with retention_in_days, point logging_config.log_group at it and add it to depends_on.",
    checkov: "CKV_AWS_66 (retention), CKV_AWS_338",
    cdkNag: "Serverless-LambdaLogRetention",
    check(stack) {
      return stack.resources("aws_lambda_function").flatMap((f): Finding[] => {
        const configured = stack.referenced(block(f.body.logging_config)?.log_group, "aws_cloudwatch_log_group");
        const byName = stack.resources("aws_cloudwatch_log_group").find((g) => g.body.name === `/aws/lambda/${f.body.function_name}`);
        const group = configured ?? byName;
        if (!group) return [{ address: f.address, message: "has no log group declared in this stack" }];
        if (!(group.body.retention_in_days > 0)) return [{ address: f.address, message: `log group ${group.address} has no retention` }];
        const ordered = asList(f.body.depends_on).includes(group.address) || configured !== undefined;
        return ordered ? [] : [{ address: f.address, message: `does not depend on ${group.address}` }];
      });
    },
  },
  {
    id: "LAMBDA.4",
    title: "Memory and timeout set explicitly",
    rationale: "The defaults (128 MB, 3 s) are rarely right and hide capacity decisions from review.",
    fix: "Set memory_size and timeout.",
    checkov: "—",
    cdkNag: "Serverless-LambdaDefaultMemorySize, Serverless-LambdaDefaultTimeout",
    check(stack) {
      return stack
        .resources("aws_lambda_function")
        .filter((f) => !(f.body.memory_size > 0) || !(f.body.timeout > 0))
        .map((f) => ({ address: f.address, message: "memory_size or timeout is not set" }));
    },
  },
  {
    id: "LAMBDA.5",
    title: "Async failure destination for event-driven functions",
    rationale: "An S3 event that fails all retries is otherwise dropped without a trace.",
    fix: "Add aws_lambda_function_event_invoke_config with destination_config { on_failure { destination = <SQS/SNS/EventBridge ARN> } } (or dead_letter_config).",
    checkov: "CKV_AWS_116",
    cdkNag: "Serverless-LambdaAsyncFailureDestination, Serverless-LambdaDLQ",
    check(stack) {
      return eventDrivenFunctions(stack).flatMap((f): Finding[] => {
        const configs = stack.resources("aws_lambda_function_event_invoke_config").filter((c) => String(c.body.function_name).startsWith(`\${${f.address}.`));
        const hasDestination = configs.some((c) => block(block(c.body.destination_config)?.on_failure)?.destination);
        const hasDlq = Boolean(block(f.body.dead_letter_config)?.target_arn);
        return hasDestination || hasDlq ? [] : [{ address: f.address, message: "is invoked by S3 but has no on-failure destination" }];
      });
    },
  },
  {
    id: "LAMBDA.6",
    title: "Invoke permissions scoped by source ARN (and source account for S3)",
    rationale: "Without them any API, bucket or account of that service could invoke the function.",
    fix: "Set source_arn on every aws_lambda_permission; for s3.amazonaws.com also source_account (bucket ARNs carry no account).",
    checkov: "CKV_AWS_364",
    cdkNag: "—",
    check(stack) {
      return stack.resources("aws_lambda_permission").flatMap((p): Finding[] => {
        if (!p.body.source_arn) return [{ address: p.address, message: `grants ${p.body.principal} without source_arn` }];
        if (p.body.principal === "s3.amazonaws.com" && !p.body.source_account) return [{ address: p.address, message: "grants S3 without source_account" }];
        return [];
      });
    },
  },
  {
    id: "LAMBDA.7",
    title: "Environment variables Lambda accepts",
    rationale: `Lambda refuses, at apply time, variables over ${LAMBDA_QUOTAS.environmentBytes} bytes together (as JSON), a key the runtime reserves and a key not matching ${ENVIRONMENT_KEY.source}; Terraform's plan checks none of them.`,
    fix: "Rename the key; move a long value (a list of origins, a document) to SSM Parameter Store and read it once per container.",
    checkov: "—",
    cdkNag: "—",
    check(stack) {
      return stack.resources("aws_lambda_function").flatMap((f): Finding[] => {
        const variables = (block(f.body.environment)?.variables ?? {}) as Record<string, unknown>;
        const keys = Object.keys(variables);
        const findings: Finding[] = [];
        const reserved = keys.filter((k) => RESERVED_ENVIRONMENT_KEYS.has(k));
        if (reserved.length) findings.push({ address: f.address, message: `sets ${reserved.join(", ")}, which the Lambda runtime reserves` });
        const malformed = keys.filter((k) => !ENVIRONMENT_KEY.test(k));
        if (malformed.length) findings.push({ address: f.address, message: `keys ${malformed.map((k) => JSON.stringify(k)).join(", ")} do not match ${ENVIRONMENT_KEY.source}` });
        const size = environmentSizeBound(variables);
        if (size > LAMBDA_QUOTAS.environmentBytes) {
          const largest = keys.map((k) => ({ k, size: environmentSizeBound({ [k]: variables[k] }) })).sort((a, b) => b.size - a.size)[0]!;
          findings.push({ address: f.address, message: `environment variables measure up to ${size} bytes once resolved, over the ${LAMBDA_QUOTAS.environmentBytes} Lambda allows (largest: ${largest.k}, up to ${largest.size})` });
        }
        return findings;
      });
    },
  },
];
