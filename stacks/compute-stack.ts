import type { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { FUNCTION_NAMES, type FunctionName } from "../config";
import { BundledFunction } from "../constructs/bundled-function";
import type { IamStack } from "./iam-stack";
import { PipelineStack, type PipelineStackProps } from "./pipeline-stack";
import type { StorageStack } from "./storage-stack";

export interface ComputeStackProps extends PipelineStackProps {
  readonly storage: StorageStack;
  readonly iam: IamStack;
}

const DESCRIPTIONS: Record<FunctionName, string> = {
  presign: "Issues presigned S3 upload and download URLs",
  process: "Copies uploaded objects to the out-bucket and records their metadata",
  status: "Returns the metadata record of a processed file",
  authorize: "API Gateway TOKEN authorizer verifying JWTs",
};

/**
 * The functions and the S3 -> Lambda wiring. The bucket notification lives here, not in storage, because it
 * references the function: that keeps the dependency graph storage <- iam <- compute <- api acyclic.
 */
export class ComputeStack extends PipelineStack {
  readonly functions: Readonly<Record<FunctionName, BundledFunction>>;
  readonly failureQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const c = this.config;
    const { inBucket, outBucket, table } = props.storage;
    const origins = c.allowedOrigins.join(",");
    const auth = c.api.auth;

    const environment: Record<FunctionName, Record<string, string>> = {
      presign: {
        IN_BUCKET: inBucket.bucket,
        OUT_BUCKET: outBucket.bucket,
        URL_EXPIRES_SECONDS: String(c.presign.urlExpiresSeconds),
        ALLOWED_ORIGINS: origins,
        ...(c.presign.allowedContentTypes.length > 0
          ? { ALLOWED_CONTENT_TYPES: c.presign.allowedContentTypes.join(",") }
          : {}),
      },
      process: { OUT_BUCKET: outBucket.bucket, TABLE_NAME: table.name },
      status: { TABLE_NAME: table.name, ALLOWED_ORIGINS: origins },
      authorize: {
        ...(auth.jwksUrl ? { JWKS_URL: auth.jwksUrl } : {}),
        ...(auth.jwtSecretParam ? { JWT_SECRET_PARAM: auth.jwtSecretParam } : {}),
        ...(auth.issuer ? { JWT_ISSUER: auth.issuer } : {}),
        ...(auth.audience ? { JWT_AUDIENCE: auth.audience } : {}),
      },
    };

    const functions = {} as Record<FunctionName, BundledFunction>;
    for (const name of FUNCTION_NAMES) {
      functions[name] = new BundledFunction(this, name, {
        functionName: this.names.functionName(name),
        entry: `functions/${name}/index.ts`,
        roleArn: props.iam.roles[name].arn,
        memoryMb: c.functions[name].memoryMb,
        timeoutSeconds: c.functions[name].timeoutSeconds,
        logRetentionDays: c.logRetentionDays,
        environment: environment[name],
        description: DESCRIPTIONS[name],
      });
    }
    this.functions = functions;
    const processFn = functions.process.function;

    // Events that exhaust their retries or age land here instead of being dropped.
    this.failureQueue = new SqsQueue(this, "process-failures", {
      name: this.names.failureQueue,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 1209600,
    });
    new LambdaFunctionEventInvokeConfig(this, "process-async", {
      functionName: processFn.functionName,
      maximumRetryAttempts: c.processing.maxRetryAttempts,
      maximumEventAgeInSeconds: c.processing.maxEventAgeSeconds,
      destinationConfig: { onFailure: { destination: this.failureQueue.arn } },
    });

    const permission = new LambdaPermission(this, "process-s3-permission", {
      statementId: "AllowS3Invoke",
      action: "lambda:InvokeFunction",
      functionName: processFn.functionName,
      principal: "s3.amazonaws.com",
      sourceArn: inBucket.arn,
      // Bucket ARNs carry no account: without this, a bucket of the same name elsewhere could invoke us.
      sourceAccount: new DataAwsCallerIdentity(this, "account").accountId,
    });
    new S3BucketNotification(this, "in-bucket-notification", {
      bucket: inBucket.id,
      lambdaFunction: [{ id: "process-uploads", lambdaFunctionArn: processFn.arn, events: ["s3:ObjectCreated:*"] }],
      // S3 validates the destination when the notification is written: the permission must exist first.
      dependsOn: [permission],
    });
  }
}
