import { writeFileSync } from "node:fs";

/** What `terraform show -json` says about one output of a plan. */
interface OutputChange {
  readonly after?: unknown;
  readonly after_unknown?: unknown;
}

export interface PlannedOutput {
  readonly value: string | number | boolean;
  /** True when the value is only known after apply and a marked placeholder stands in for it. */
  readonly placeholder: boolean;
}

/** Marks every placeholder, the way Terraform itself says "(known after apply)". */
export const PLACEHOLDER_MARK = "known-after-apply";

interface ArnShape {
  readonly service: string;
  readonly regional: boolean;
  readonly account: boolean;
  readonly prefix: string;
}

// How AWS writes the ARN of each resource type the stacks export, so a placeholder passes the provider's ARN checks.
const ARN_SHAPES: Record<string, ArnShape> = {
  aws_iam_role: { service: "iam", regional: false, account: true, prefix: "role/" },
  aws_s3_bucket: { service: "s3", regional: false, account: false, prefix: "" },
  aws_dynamodb_table: { service: "dynamodb", regional: true, account: true, prefix: "table/" },
  aws_lambda_function: { service: "lambda", regional: true, account: true, prefix: "function:" },
  aws_sqs_queue: { service: "sqs", regional: true, account: true, prefix: "" },
  aws_sns_topic: { service: "sns", regional: true, account: true, prefix: "" },
  aws_cloudwatch_log_group: { service: "logs", regional: true, account: true, prefix: "log-group:" },
  aws_api_gateway_rest_api: { service: "apigateway", regional: true, account: false, prefix: "/restapis/" },
};

export interface PlaceholderContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/**
 * A clearly marked stand-in of the right shape for an output known only after apply. cdktf's cross-stack outputs
 * are single attribute references ("${aws_iam_role.presign-role.arn}"): ARNs get an ARN of the resource's own
 * form (so ARN validation in the consumer passes), names and ids a name-safe string; both carry the mark.
 */
export function placeholderFor(expression: unknown, c: PlaceholderContext): string {
  const m = typeof expression === "string" ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(expression) : null;
  if (!m) throw new Error(`cannot make a placeholder for ${JSON.stringify(expression)}: not a single attribute reference`);
  const [, type, name, attr] = m as unknown as [string, string, string, string];
  const marker = `${PLACEHOLDER_MARK}-${name}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  const arn = (t: string) => {
    const shape = ARN_SHAPES[t] ?? { service: t.replace(/^aws_/, "").split("_")[0]!, regional: true, account: true, prefix: `${t.replace(/^aws_/, "")}/` };
    return `arn:${c.partition}:${shape.service}:${shape.regional ? c.region : ""}:${shape.account ? c.account : ""}:${shape.prefix}${marker}`;
  };
  switch (attr) {
    case "arn":
      return arn(type);
    case "invoke_arn":
      return `arn:${c.partition}:apigateway:${c.region}:lambda:path/2015-03-31/functions/${arn("aws_lambda_function")}/invocations`;
    case "execution_arn":
      return `arn:${c.partition}:execute-api:${c.region}:${c.account}:${marker}`;
    default:
      return marker;
  }
}

/**
 * The producer's outputs as its plan says they will be: known values as they are, unknown ones as placeholders.
 * `expressions` are the producer's output definitions (its cdk.tf.json `output.<name>.value`).
 */
export function plannedOutputs(changes: Readonly<Record<string, OutputChange>>, expressions: Readonly<Record<string, unknown>>, c: PlaceholderContext): Record<string, PlannedOutput> {
  const out: Record<string, PlannedOutput> = {};
  for (const [name, change] of Object.entries(changes)) {
    if (change.after_unknown === true) out[name] = { value: placeholderFor(expressions[name], c), placeholder: true };
    else if (typeof change.after === "string" || typeof change.after === "number" || typeof change.after === "boolean") out[name] = { value: change.after, placeholder: false };
    else throw new Error(`output ${name} is not a plain value in the plan (${JSON.stringify(change.after)}); cross-stack outputs are expected to be strings`);
  }
  return out;
}

/** A state file holding only these outputs: what the consumer's terraform_remote_state reads instead of real state. */
export function writeOutputsState(file: string, outputs: Readonly<Record<string, PlannedOutput>>, terraformVersion: string, lineage: string): void {
  const typeOf = (v: PlannedOutput["value"]) => (typeof v === "number" ? "number" : typeof v === "boolean" ? "bool" : "string");
  writeFileSync(
    file,
    JSON.stringify({
      version: 4,
      terraform_version: terraformVersion,
      serial: 1,
      lineage,
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, { value: o.value, type: typeOf(o.value), sensitive: true }])),
      resources: [],
      check_results: null,
    }),
  );
}
