import { randomBytes } from "node:crypto";
import type { LocalFunction } from "./function-host";
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
}

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

  constructor(app: SynthesizedApp, functions: Map<string, LocalFunction>, private readonly log: (line: string) => void) {
    const compute = app.stackName("compute");
    for (const n of app.resources(compute, "aws_s3_bucket_notification")) {
      const bucket = app.resolveString(compute, n.body.bucket);
      for (const target of [n.body.lambda_function ?? []].flat() as Array<Record<string, unknown>>) {
        const fnResource = app.target(compute, target.lambda_function_arn);
        const name = fnResource ? app.resolveString(compute, fnResource.body.function_name) : undefined;
        const fn = name ? functions.get(name) : undefined;
        if (!fn || !fnResource) throw new Error(`${n.address}: target function not found in the synthesized compute stack`);
        const invokeConfig = app.resources(compute, "aws_lambda_function_event_invoke_config").find((c) => String(c.body.function_name).startsWith(`\${${fnResource.address}.`));
        this.subscriptions.push({
          bucket,
          events: [target.events ?? []].flat().map(String),
          prefix: String(target.filter_prefix ?? ""),
          suffix: String(target.filter_suffix ?? ""),
          fn,
          id: String(target.id ?? "notification"),
          maxRetries: Number(invokeConfig?.body.maximum_retry_attempts ?? 2),
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
          awsRegion: "us-east-1",
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
      for (let attempt = 0; attempt <= s.maxRetries; attempt++) {
        const out = await s.fn.invoke(event);
        const key = (event as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0]?.s3.object.key;
        this.log(`${s.fn.name} ${out.ok ? "ok" : "error"} ${out.durationMs.toFixed(0)} ms  s3 event ${key}${out.ok ? "" : ` (attempt ${attempt + 1}: ${out.error?.message})`}`);
        if (out.ok) return;
        // Lambda waits about a minute, then two; locally the retries follow at once.
      }
      this.log(`${s.fn.name} gave up after ${s.maxRetries + 1} attempts: the event would go to the on-failure destination`);
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
