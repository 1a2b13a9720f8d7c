import type { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3BucketNotification, type S3BucketNotificationLambdaFunction } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { BundledFunction } from "../constructs/bundled-function";
import type { PreparedBundles } from "../constructs/function-bundles";
import type { PipelineFunction } from "../pipeline/function-declaration";
import { isRef, type BucketName } from "../pipeline/refs";
import { DEFAULT_OBJECT_CREATED_EVENTS } from "../pipeline/s3-filters";
import type { IamStack } from "./iam-stack";
import { PipelineStack, type PipelineStackProps } from "./pipeline-stack";
import type { StorageStack } from "./storage-stack";
import { alarmSettings } from "../config/alarms";
import { addAlarm } from "../constructs/alarm";
import { dependOn } from "../constructs/in-stack-address";

export interface ComputeStackProps extends PipelineStackProps {
  readonly storage: StorageStack;
  readonly iam: IamStack;
  readonly functions: readonly PipelineFunction[];
  readonly bundles?: PreparedBundles;
}

/** Fourteen days, SQS's maximum: time to notice the alarm and redrive. */
const FAILURE_RETENTION_SECONDS = 1209600;

/**
 * The declared functions and their event wiring: every object-created subscription becomes a rule of its
 * bucket's notification, with the invoke permission it needs and an encrypted failure queue for the events
 * that exhaust their retries. The notification lives here, not in storage, because it references functions:
 * that keeps the dependency graph storage <- iam <- compute <- api acyclic.
 */
export class ComputeStack extends PipelineStack {
  readonly functions: ReadonlyMap<string, BundledFunction>;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const c = this.config;
    const storage = props.storage;

    const functions = new Map<string, BundledFunction>();
    for (const fn of props.functions) {
      const environment = Object.fromEntries(Object.entries(fn.environment ?? {}).map(([k, v]) => [k, isRef(v) ? storage.reference(v) : v]));
      // Functions behind the API answer browsers: they echo an allowed origin (functions/lib/http.ts).
      if (fn.routes?.length) {
        environment.ALLOWED_ORIGINS = c.allowedOrigins.join(",");
        // Each caller's keys live in their own space when there is an authorizer to name them (functions/lib/key-space.ts).
        environment.KEY_SPACES = c.api.auth.enabled ? "private" : "shared";
      }
      functions.set(
        fn.name,
        new BundledFunction(this, fn.name, {
          functionName: this.names.functionName(fn.name),
          logGroupName: this.names.logGroup(fn.name),
          entry: fn.entry,
          roleArn: props.iam.role(fn.name).arn,
          memoryMb: fn.memoryMb,
          timeoutSeconds: fn.timeoutSeconds,
          logRetentionDays: c.logRetentionDays,
          environment,
          description: fn.description,
          bundle: props.bundles?.get(fn.entry),
        }),
      );
    }
    this.functions = functions;

    // Someone is told: every function's errors, event-driven functions' throttles, and every failure queue.
    const alarms = alarmSettings(c);
    const topicArn = storage.alarmTopic.arn;
    const atOnce = { periodSeconds: alarms.periodSeconds, evaluationPeriods: 1, datapointsToAlarm: 1, topicArn };
    for (const fn of props.functions) {
      const functionName = this.names.functionName(fn.name);
      addAlarm(this, `${fn.name}-errors`, {
        ...atOnce,
        name: this.names.alarm(`${fn.name}-errors`),
        description: `${functionName} failed (an exception or timeout, not a 4xx answer). Its log group ${this.names.logGroup(fn.name)} has the request id.`,
        namespace: "AWS/Lambda",
        metric: "Errors",
        dimensions: { FunctionName: functionName },
        statistic: "Sum",
        threshold: 0,
      });
      if (fn.objectCreated?.length) {
        addAlarm(this, `${fn.name}-throttles`, {
          ...atOnce,
          name: this.names.alarm(`${fn.name}-throttles`),
          description: `${functionName} was throttled (account or reserved concurrency): S3 events wait and retry, and may end in the failure queue.`,
          namespace: "AWS/Lambda",
          metric: "Throttles",
          dimensions: { FunctionName: functionName },
          statistic: "Sum",
          threshold: 0,
        });
      }
    }

    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const rules = new Map<BucketName, { rules: S3BucketNotificationLambdaFunction[]; permissions: LambdaPermission[] }>();
    for (const fn of props.functions.filter((f) => f.objectCreated?.length)) {
      const lambda = this.fn(fn.name).function;
      // Events that exhaust their retries or age land here instead of being dropped.
      const failures = new SqsQueue(this, `${fn.name}-failures`, {
        name: this.names.failureQueue(fn.name),
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: FAILURE_RETENTION_SECONDS,
      });
      addAlarm(this, `${fn.name}-failures-alarm`, {
        ...atOnce,
        name: this.names.alarm(`${fn.name}-failures`),
        description: `S3 events ${this.names.functionName(fn.name)} could not process after every retry are waiting in ${this.names.failureQueue(fn.name)}. Fix the cause, then replay them: npm run redrive -- --env ${c.env} (README, Operating it).`,
        namespace: "AWS/SQS",
        metric: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: failures.name },
        statistic: "Maximum",
        threshold: 0,
      });
      new LambdaFunctionEventInvokeConfig(this, `${fn.name}-async`, {
        functionName: lambda.functionName,
        maximumRetryAttempts: c.eventDelivery.maxRetryAttempts,
        maximumEventAgeInSeconds: c.eventDelivery.maxEventAgeSeconds,
        destinationConfig: { onFailure: { destination: failures.arn } },
      });
      for (const bucketName of new Set(fn.objectCreated!.map((s) => s.bucket))) {
        const entry = rules.get(bucketName) ?? { rules: [], permissions: [] };
        rules.set(bucketName, entry);
        entry.permissions.push(
          new LambdaPermission(this, `${fn.name}-s3-${bucketName}-permission`, {
            statementId: `AllowS3Invoke-${bucketName}`,
            action: "lambda:InvokeFunction",
            functionName: lambda.functionName,
            principal: "s3.amazonaws.com",
            sourceArn: storage.bucket(bucketName).arn,
            // Bucket ARNs carry no account: without this, a bucket of the same name elsewhere could invoke us.
            sourceAccount: account,
          }),
        );
      }
      fn.objectCreated!.forEach((s, i) => {
        rules.get(s.bucket)!.rules.push({
          id: fn.objectCreated!.length > 1 ? `${fn.name}-${i + 1}` : fn.name,
          lambdaFunctionArn: lambda.arn,
          events: [...(s.events ?? DEFAULT_OBJECT_CREATED_EVENTS)],
          ...(s.prefix ? { filterPrefix: s.prefix } : {}),
          ...(s.suffix ? { filterSuffix: s.suffix } : {}),
        });
      });
    }
    // One notification per bucket: S3 keeps a single notification configuration, so a second resource would
    // silently replace the first.
    for (const [bucketName, { rules: lambdaFunction, permissions }] of rules) {
      // S3 validates each destination when the notification is written: the permissions must exist first.
      dependOn(new S3BucketNotification(this, `${bucketName}-bucket-notification`, { bucket: storage.bucket(bucketName).id, lambdaFunction }), permissions);
    }
  }

  fn(name: string): BundledFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function "${name}"`);
    return fn;
  }
}
