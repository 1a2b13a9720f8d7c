import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { StackView, type TfJson, type TfResourceBody } from "./stack-view";

/** The account id the local pipeline pretends to run in. */
export const LOCAL_ACCOUNT = "000000000000";
/** The partition it pretends to run in (what data.aws_partition resolves to locally). */
export const LOCAL_PARTITION = { partition: "aws", dnsSuffix: "amazonaws.com" } as const;
/** The id of the local REST API (execution ARNs and method ARNs use it). */
export const LOCAL_API_ID = "local";

export interface ResolvedResource {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly body: TfResourceBody;
}

/**
 * The output of `cdktf synth` (manifest + one cdk.tf.json per stack) with a resolver for the expressions those
 * stacks use, so the local pipeline runs exactly what would be deployed.
 */
export class SynthesizedApp {
  readonly stacks: Record<string, TfJson> = {};
  readonly stackDirs: Record<string, string> = {};
  private readonly views: Record<string, StackView> = {};

  constructor(readonly outdir: string, stackNames?: readonly string[]) {
    const manifestPath = path.join(outdir, "manifest.json");
    if (!existsSync(manifestPath)) throw new Error(`${manifestPath} not found: run \`npm run synth\` first`);
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
    for (const [name, entry] of Object.entries(manifest.stacks)) {
      if (stackNames && !stackNames.includes(name)) continue;
      const file = path.join(outdir, entry.synthesizedStackPath);
      this.stacks[name] = JSON.parse(readFileSync(file, "utf8")) as TfJson;
      this.views[name] = new StackView(this.stacks[name]);
      this.stackDirs[name] = path.dirname(file);
    }
  }

  /** The one stack whose name ends with `-<part>` (storage, iam, compute, api). */
  stackName(part: string): string {
    const names = Object.keys(this.stacks).filter((n) => n.endsWith(`-${part}`));
    if (names.length !== 1) throw new Error(`expected one *-${part} stack in the synthesized output, found ${names.length}: ${names.join(", ") || "none"}`);
    return names[0]!;
  }

  resources(stack: string, type: string): ResolvedResource[] {
    return (this.views[stack]?.resources(type) ?? []).map((r) => ({ stack, ...r }));
  }

  byAddress(stack: string, address: string): ResolvedResource | undefined {
    const r = this.views[stack]?.byAddress(address);
    return r ? { stack, ...r } : undefined;
  }

  /** The resource a whole-value `${type.name.attr}` reference points at, following cross-stack outputs. */
  target(stack: string, value: unknown): ResolvedResource | undefined {
    if (typeof value !== "string") return undefined;
    const remote = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-([^.]+)\.outputs\.([A-Za-z0-9_-]+)\}$/.exec(value);
    if (remote) {
      const output = this.output(remote[1]!, remote[2]!);
      return output === undefined ? undefined : this.target(remote[1]!, output.value);
    }
    const m = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_.]+\}$/.exec(value);
    return m ? this.byAddress(stack, `${m[1]}.${m[2]}`) : undefined;
  }

  /** Resolves every `${...}` in a value (recursively); throws naming any expression it cannot resolve. */
  resolve(stack: string, value: unknown): unknown {
    if (typeof value === "string") {
      return value.replace(/\$\{([^{}]+)\}/g, (_all, expr: string) => this.expression(stack, expr.trim()));
    }
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "//").map(([k, v]) => [k, this.resolve(stack, v)]));
    }
    return value;
  }

  resolveString(stack: string, value: unknown): string {
    return String(this.resolve(stack, value));
  }

  private expression(stack: string, expr: string): string {
    const remote = /^data\.terraform_remote_state\.cross-stack-reference-input-([^.]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (remote) {
      const origin = remote[1]!;
      const output = this.output(origin, remote[2]!);
      if (!output) throw new Error(`cannot resolve \${${expr}} in ${stack}: stack ${origin} has no such output`);
      return this.resolveString(origin, output.value);
    }
    if (/^data\.aws_caller_identity\.[^.]+\.account_id$/.test(expr)) return LOCAL_ACCOUNT;
    if (/^data\.aws_partition\.[^.]+\.partition$/.test(expr)) return LOCAL_PARTITION.partition;
    if (/^data\.aws_partition\.[^.]+\.dns_suffix$/.test(expr)) return LOCAL_PARTITION.dnsSuffix;
    const m = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)$/.exec(expr);
    const r = m ? this.byAddress(stack, `${m[1]}.${m[2]}`) : undefined;
    if (!m || !r) throw new Error(`cannot resolve \${${expr}} in ${stack}`);
    const attr = m[3]!;
    const name = (field: string) => this.resolveString(stack, r.body[field]);
    const region = this.region(stack);
    switch (`${r.type}.${attr}`) {
      case "aws_s3_bucket.bucket":
      case "aws_s3_bucket.id":
        return name("bucket");
      case "aws_s3_bucket.arn":
        return `arn:aws:s3:::${name("bucket")}`;
      case "aws_dynamodb_table.name":
      case "aws_dynamodb_table.id":
        return name("name");
      case "aws_dynamodb_table.arn":
        return `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT}:table/${name("name")}`;
      case "aws_cloudwatch_log_group.name":
        return name("name");
      case "aws_cloudwatch_log_group.arn":
        return `arn:aws:logs:${region}:${LOCAL_ACCOUNT}:log-group:${name("name")}`;
      case "aws_sqs_queue.arn":
        return `arn:aws:sqs:${region}:${LOCAL_ACCOUNT}:${name("name")}`;
      case "aws_iam_role.arn":
        return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name("name")}`;
      case "aws_iam_role.name":
      case "aws_iam_role.id":
        return name("name");
      case "aws_lambda_function.function_name":
        return name("function_name");
      case "aws_lambda_function.arn":
        return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${name("function_name")}`;
      case "aws_api_gateway_rest_api.execution_arn":
        return `arn:aws:execute-api:${region}:${LOCAL_ACCOUNT}:${LOCAL_API_ID}`;
      case "aws_api_gateway_authorizer.id":
        return r.name;
      case "aws_lambda_function.invoke_arn":
        return `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${name("function_name")}/invocations`;
      default:
        throw new Error(`cannot resolve \${${expr}} in ${stack}: the local pipeline does not emulate ${r.type}.${attr}`);
    }
  }

  private output(stack: string, name: string): { value: unknown } | undefined {
    return (this.stacks[stack]?.output as Record<string, { value: unknown }> | undefined)?.[name];
  }

  region(stack: string): string {
    const provider = (this.stacks[stack]?.provider as Record<string, Array<{ region?: string }>> | undefined)?.aws?.[0];
    return provider?.region ?? "us-east-1";
  }
}
