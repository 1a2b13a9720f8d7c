import { randomBytes, randomUUID } from "node:crypto";
import type { InvokeResult, LocalFunction } from "./function-host";
import type { SynthesizedApp } from "../synth/synthesized-app";

/** What s3rver emits when an object is written (its own, simplified S3 event). */
export interface S3rverEvent {
  Records: Array<{ eventName: string; eventTime: string; s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } } }>;
}

interface Subscription {
  readonly bucket: string;
  readonly events: readonly string[];
  readonly prefix: string;
  readonly suffix: string;
  readonly fn: LocalFunction;
  readonly id: string;
  readonly maxRetries: number;
  /** The on-failure destination's queue name, when the invoke config has one. */
  readonly failureQueue?: string;
}

/**
 * Where events that exhaust their retries go (the local SQS), sent as Lambda sends them: with the function's
 * execution role. Resolves to why the delivery failed, if it did (Lambda then drops the record).
 */
export type FailureSink = (fn: LocalFunction, queue: string, body: string) => Promise<string | undefined>;

/** S3's form-URL encoding of keys in event notifications: spaces become "+", "/" stays. */
function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
}

let lastSequencer = 0n;
/** Hex, increasing per object write in this process, like S3's per-key sequencer. */
function nextSequencer(): string {
  const now = BigInt(Date.now()) << 16n;
  lastSequencer = now > lastSequencer ? now : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(16, "0");
}

/**
 * Delivers object-created events to the functions the synthesized aws_s3_bucket_notification names, for its
 * bucket, event types and prefix/suffix filters only, shaped as S3 sends them (encoded key, sequencer,
 * versionId), asynchronously and with the retries of the function's event invoke config.
 */
export class LocalS3Notifications {
  private readonly subscriptions: Subscription[] = [];
  private readonly delivered = new Map<string, { subscription: Subscription; event: unknown }>();
  readonly inFlight = new Set<Promise<void>>();
  /** The buckets' region, which S3 names in every record. */
  private readonly region: string;

  constructor(app: SynthesizedApp, functions: Map<string, LocalFunction>, private readonly log: (line: string) => void, private readonly sink?: FailureSink) {
    const compute = app.stackName("compute");
    this.region = app.region(compute);
    for (const n of app.resources(compute, "aws_s3_bucket_notification")) {
      const bucket = app.resolveString(compute, n.body.bucket);
      for (const target of [n.body.lambda_function ?? []].flat() as Array<Record<string, unknown>>) {
        const fnResource = app.target(compute, target.lambda_function_arn);
        const name = fnResource ? app.resolveString(compute, fnResource.body.function_name) : undefined;
        const fn = name ? functions.get(name) : undefined;
        if (!fn || !fnResource) throw new Error(`${n.address}: target function not found in the synthesized compute stack`);
        const invokeConfig = app.resources(compute, "aws_lambda_function_event_invoke_config").find((c) => String(c.body.function_name).startsWith(`\${${fnResource.address}.`));
        // Blocks are objects or one-element lists in synthesized JSON.
        const onFailure = [invokeConfig?.body.destination_config].flat()[0]?.on_failure;
        const destination = app.target(compute, [onFailure].flat()[0]?.destination);
        this.subscriptions.push({
          bucket,
          events: [target.events ?? []].flat().map(String),
          prefix: String(target.filter_prefix ?? ""),
          suffix: String(target.filter_suffix ?? ""),
          fn,
          id: String(target.id ?? "notification"),
          maxRetries: Number(invokeConfig?.body.maximum_retry_attempts ?? 2),
          ...(destination?.type === "aws_sqs_queue" ? { failureQueue: app.resolveString(compute, destination.body.name) } : {}),
        });
      }
    }
  }

  describe(): string[] {
    return this.subscriptions.map((s) => `s3://${s.bucket}/${s.prefix}*${s.suffix} ${s.events.join(",")} -> ${s.fn.name} (${s.maxRetries} retries)`);
  }

  /** Called for every s3rver write; delivers only what a matching notification would. */
  onS3rverEvent(event: S3rverEvent): void {
    for (const r of event.Records) {
      const eventName = r.eventName;
      for (const s of this.subscriptions) {
        const wanted = s.events.some((e) => e === `s3:${eventName}` || (e.endsWith(":*") && `s3:${eventName}`.startsWith(e.slice(0, -1))));
        const key = r.s3.object.key;
        if (r.s3.bucket.name !== s.bucket || !wanted || !key.startsWith(s.prefix) || !key.endsWith(s.suffix)) continue;
        const record = {
          eventVersion: "2.1",
          eventSource: "aws:s3",
          awsRegion: this.region,
          eventTime: r.eventTime,
          eventName,
          userIdentity: { principalId: "AWS:LOCAL" },
          requestParameters: { sourceIPAddress: "127.0.0.1" },
          responseElements: { "x-amz-request-id": randomBytes(8).toString("hex").toUpperCase(), "x-amz-id-2": randomBytes(16).toString("base64") },
          s3: {
            s3SchemaVersion: "1.0",
            configurationId: s.id,
            bucket: { name: s.bucket, ownerIdentity: { principalId: "LOCAL" }, arn: `arn:aws:s3:::${s.bucket}` },
            object: {
              key: encodeEventKey(key),
              size: r.s3.object.size ?? 0,
              eTag: r.s3.object.eTag ?? "",
              // The in-bucket is versioned; s3rver keeps only the latest version, so the id is generated.
              versionId: randomBytes(24).toString("base64url").slice(0, 32),
              sequencer: nextSequencer(),
            },
          },
        };
        const event = { Records: [record] };
        this.delivered.set(key, { subscription: s, event });
        void this.deliver(s, event);
      }
    }
  }

  /** Re-sends the last event delivered for a key, as S3's at-least-once delivery sometimes does. */
  redeliver(key: string): Promise<void> {
    const last = this.delivered.get(key);
    if (!last) throw new Error(`no event was delivered for "${key}"`);
    return this.deliver(last.subscription, last.event);
  }

  private deliver(s: Subscription, event: unknown): Promise<void> {
    const run = (async () => {
      let last: InvokeResult | undefined;
      for (let attempt = 0; attempt <= s.maxRetries; attempt++) {
        last = await s.fn.invoke(event, "Event");
        const key = (event as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0]?.s3.object.key;
        this.log(`${s.fn.name} ${last.ok ? "ok" : "error"} ${last.durationMs.toFixed(0)} ms  s3 event ${key}${last.ok ? "" : ` (attempt ${attempt + 1}: ${last.error?.message})`}`);
        if (last.ok) return;
        // Lambda waits about a minute, then two; locally the retries follow at once.
      }
      if (!s.failureQueue || !this.sink) return this.log(`${s.fn.name} gave up after ${s.maxRetries + 1} attempts; no on-failure destination: the event is dropped`);
      const failed = await this.sink(s.fn, s.failureQueue, JSON.stringify(failureRecord(s, event, s.maxRetries + 1, last?.error)));
      if (failed) return this.log(`${s.fn.name} gave up after ${s.maxRetries + 1} attempts; the on-failure destination refused the record (${failed}): the event is dropped`);
      this.log(`${s.fn.name} gave up after ${s.maxRetries + 1} attempts: the event is in ${s.failureQueue} (npm run redrive)`);
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }
}

/**
 * What Lambda sends to an asynchronous invocation's on-failure destination: the original event as requestPayload,
 * the last error as responsePayload, and how many attempts were made (AWS Lambda, "Capturing records of
 * asynchronous invocations").
 */
function failureRecord(s: Subscription, event: unknown, attempts: number, error: InvokeResult["error"]) {
  return {
    version: "1.0",
    timestamp: new Date().toISOString(),
    requestContext: { requestId: randomUUID(), functionArn: `${s.fn.arn}:$LATEST`, condition: "RetriesExhausted", approximateInvokeCount: attempts },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType: error?.name ?? "Error", errorMessage: error?.message ?? "unknown error", trace: [] },
  };
}
