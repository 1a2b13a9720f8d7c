import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { Bundle } from "./bundle";
import { functionBundle } from "./function-bundles";
import { dependOn } from "./in-stack-address";

export interface BundledFunctionProps {
  readonly functionName: string;
  readonly logGroupName: string;
  /** Handler source relative to the project root; must export `handler`. */
  readonly entry: string;
  readonly roleArn: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly logRetentionDays: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly description: string;
  /** Built beforehand (constructs/function-bundles.ts prepareBundles); otherwise built or reused here. */
  readonly bundle?: Bundle;
}

/**
 * A Node.js Lambda function built from TypeScript: esbuild bundle -> deterministic zip -> TerraformAsset ->
 * aws_lambda_function, with its log group created first (so Lambda never creates one without retention).
 * Defaults: nodejs22.x on arm64, active tracing, JSON logs, source maps on.
 */
export class BundledFunction extends Construct {
  readonly function: LambdaFunction;
  readonly logGroup: CloudwatchLogGroup;
  readonly bundle: Bundle;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    this.bundle = props.bundle ?? functionBundle(props.entry);
    const asset = new TerraformAsset(this, "asset", {
      path: this.bundle.zipPath,
      type: AssetType.FILE,
      assetHash: this.bundle.assetHash,
    });

    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
    });

    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: props.description,
      role: props.roleArn,
      filename: asset.path,
      sourceCodeHash: this.bundle.sourceCodeHash,
      handler: "index.handler",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      memorySize: props.memoryMb,
      timeout: props.timeoutSeconds,
      tracingConfig: { mode: "Active" },
      loggingConfig: {
        logFormat: "JSON",
        logGroup: this.logGroup.name,
        applicationLogLevel: "INFO",
        systemLogLevel: "WARN",
      },
      environment: {
        variables: { NODE_OPTIONS: "--enable-source-maps", ...props.environment },
      },
    });
    dependOn(this.function, [this.logGroup]);
  }
}
