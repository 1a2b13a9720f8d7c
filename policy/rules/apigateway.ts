import { block, type ResourceRef, type StackView } from "../../synth/stack-view";
import type { Finding, Rule } from "../types";

/** Path of an API Gateway resource from its path_part chain ("" for the root). */
export function resourcePath(stack: StackView, resourceId: unknown): string | undefined {
  const r = stack.referenced(resourceId, "aws_api_gateway_resource");
  if (!r) return typeof resourceId === "string" && resourceId.includes("root_resource_id") ? "" : undefined;
  const parent = resourcePath(stack, r.body.parent_id);
  return parent === undefined ? undefined : `${parent}/${r.body.path_part}`;
}

function settingsFor(stack: StackView, stage: ResourceRef): ResourceRef[] {
  return stack.resources("aws_api_gateway_method_settings").filter((m) => m.body.stage_name === stage.body.stage_name || String(m.body.stage_name).startsWith(`\${${stage.address}.`));
}

export const apiGatewayRules: Rule[] = [
  {
    id: "APIGW.1",
    title: "Access logging in JSON with requestId",
    rationale: "Without access logs nobody can answer who called what; requestId joins them to Lambda logs and traces.",
    fix: "Set access_log_settings { destination_arn = <log group ARN>, format = JSON including $context.requestId } on every stage.",
    checkov: "CKV_AWS_76",
    cdkNag: "AwsSolutions-APIG1",
    check(stack) {
      return stack.resources("aws_api_gateway_stage").flatMap((s): Finding[] => {
        const logs = block(s.body.access_log_settings);
        if (!logs?.destination_arn) return [{ address: s.address, message: "has no access logs" }];
        return String(logs.format ?? "").includes("$context.requestId") ? [] : [{ address: s.address, message: "access log format lacks $context.requestId" }];
      });
    },
  },
  {
    id: "APIGW.2",
    title: "X-Ray tracing on every stage",
    rationale: "Traces start at the gateway; without them latency and errors cannot be followed into the functions.",
    fix: "Set xray_tracing_enabled = true on the stage.",
    checkov: "CKV_AWS_73",
    cdkNag: "NIST.800.53.R5-APIGWXrayEnabled",
    check(stack) {
      return stack.resources("aws_api_gateway_stage").filter((s) => s.body.xray_tracing_enabled !== true).map((s) => ({ address: s.address, message: "X-Ray tracing is off" }));
    },
  },
  {
    id: "APIGW.3",
    title: "Throttling on every stage",
    rationale: "Account-level limits are shared by every API; a stage limit keeps one client from exhausting them.",
    fix: 'Add aws_api_gateway_method_settings for the stage with method_path "*/*" and throttling_burst_limit / throttling_rate_limit.',
    checkov: "—",
    cdkNag: "Serverless-APIGWDefaultThrottling",
    check(stack) {
      return stack.resources("aws_api_gateway_stage").flatMap((s): Finding[] => {
        const throttled = settingsFor(stack, s).some((m) => m.body.method_path === "*/*" && block(m.body.settings)?.throttling_burst_limit > 0 && block(m.body.settings)?.throttling_rate_limit > 0);
        return throttled ? [] : [{ address: s.address, message: "has no stage-wide throttling" }];
      });
    },
  },
  {
    id: "APIGW.4",
    title: "Deployment redeploys on change and is replaced safely",
    rationale: "Without triggers a changed route is never deployed; without create_before_destroy the stage briefly points at nothing.",
    fix: "Set triggers = { redeployment = sha1(jsonencode([...every method, integration, authorizer, gateway response])) } and lifecycle { create_before_destroy = true }.",
    checkov: "CKV_AWS_217",
    cdkNag: "—",
    check(stack) {
      return stack.resources("aws_api_gateway_deployment").flatMap((d): Finding[] => [
        ...(d.body.triggers && Object.keys(d.body.triggers).length > 0 ? [] : [{ address: d.address, message: "has no triggers" }]),
        ...(d.body.lifecycle?.create_before_destroy === true ? [] : [{ address: d.address, message: "is not create_before_destroy" }]),
      ]);
    },
  },
  {
    id: "APIGW.5",
    title: "Protected routes carry the authorizer (when auth is on)",
    rationale: "One method without authorization opens the function behind it to the internet.",
    fix: 'Set authorization = "CUSTOM" and authorizer_id on the method (routes are protected unless declared with auth: false).',
    checkov: "CKV_AWS_59",
    cdkNag: "AwsSolutions-APIG4",
    check(stack, options) {
      if (!options.authEnabled) return [];
      return stack.resources("aws_api_gateway_method").flatMap((m): Finding[] => {
        const path = resourcePath(stack, m.body.resource_id);
        if (path === undefined || !options.protectedRoutes.includes(`${m.body.http_method} ${path || "/"}`)) return [];
        const authorized = ["CUSTOM", "COGNITO_USER_POOLS"].includes(m.body.authorization) ? Boolean(m.body.authorizer_id) : m.body.authorization === "AWS_IAM";
        return authorized ? [] : [{ address: m.address, message: `${m.body.http_method} ${path} has no authorizer` }];
      });
    },
  },
  {
    id: "APIGW.6",
    title: "Required query parameters validated by API Gateway",
    rationale: "Malformed calls are refused at the gateway, before they cost an invocation.",
    fix: "Mark the parameter required in request_parameters (method.request.querystring.<name> = true) and set request_validator_id to a validator with validate_request_parameters = true.",
    checkov: "—",
    cdkNag: "AwsSolutions-APIG2",
    check(stack, options) {
      return stack.resources("aws_api_gateway_method").flatMap((m): Finding[] => {
        const path = resourcePath(stack, m.body.resource_id);
        const required = path === undefined ? undefined : options.requiredQueryParameters[`${m.body.http_method} ${path || "/"}`];
        if (!required) return [];
        const validator = stack.referenced(m.body.request_validator_id, "aws_api_gateway_request_validator");
        const missing = required.filter((q) => m.body.request_parameters?.[`method.request.querystring.${q}`] !== true);
        if (!validator || validator.body.validate_request_parameters !== true) return [{ address: m.address, message: "has no request validator checking parameters" }];
        return missing.length ? [{ address: m.address, message: `does not require ${missing.join(", ")}` }] : [];
      });
    },
  },
  {
    id: "APIGW.7",
    title: "Data trace logging off",
    rationale: "Full request/response logging writes bearer tokens and presigned URLs into CloudWatch.",
    fix: "Set settings { data_trace_enabled = false } (use access logs and metrics instead).",
    checkov: "CKV_AWS_276",
    cdkNag: "—",
    check(stack) {
      return stack
        .resources("aws_api_gateway_method_settings")
        .filter((m) => block(m.body.settings)?.data_trace_enabled === true)
        .map((m) => ({ address: m.address, message: "data trace logging is on" }));
    },
  },
];
