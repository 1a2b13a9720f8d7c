import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { parseFailureRecord } from "./failure-record";

export interface RedriveOptions {
  readonly queue: string;
  readonly functionName: string;
  readonly dryRun: boolean;
  /** At most this many messages (default: all). */
  readonly limit?: number;
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly print: (line: string) => void;
  /** For ages in the listing (tests pass a fixed clock). */
  readonly now?: () => number;
}

export interface RedriveSummary {
  readonly seen: number;
  readonly replayed: number;
  readonly failed: number;
  /** Messages that are not on-failure records: left in the queue, named. */
  readonly unreadable: number;
}

// While a message is being replayed nobody else may take it; longer than any replay (process: at most 15 min).
const REPLAY_VISIBILITY_SECONDS = 900;

function age(fromIso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(fromIso)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`;
}

/**
 * Replays the events of a failure queue to their function, one at a time, and deletes a message only after its
 * replay succeeded. Replays invoke the function directly and synchronously (RequestResponse) with the original
 * event: the answer says whether it worked before anything is deleted; re-triggering S3 would rewrite the object,
 * and an asynchronous invoke would report a failure only into this same queue. Processing is idempotent (a
 * record is written only for a newer sequencer), so replaying an event twice changes nothing.
 */
export async function redrive(o: RedriveOptions): Promise<RedriveSummary> {
  const now = o.now ?? Date.now;
  const { QueueUrl } = await o.sqs.send(new GetQueueUrlCommand({ QueueName: o.queue }));
  const seen = new Set<string>();
  let replayed = 0;
  let failed = 0;
  let unreadable = 0;
  const limit = o.limit ?? Infinity;
  o.print(`${o.dryRun ? "listing" : "redriving"} ${o.queue} -> ${o.functionName}${Number.isFinite(limit) ? ` (at most ${limit})` : ""}`);
  while (seen.size < limit) {
    const { Messages = [] } = await o.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: Math.min(10, limit - seen.size),
        // A dry run only looks: the messages stay visible to everyone else.
        VisibilityTimeout: o.dryRun ? 0 : REPLAY_VISIBILITY_SECONDS,
        WaitTimeSeconds: 0,
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const m of fresh) {
      seen.add(m.MessageId!);
      const n = seen.size;
      let failure: ReturnType<typeof parseFailureRecord>;
      try {
        failure = parseFailureRecord(m.Body ?? "");
      } catch (e) {
        unreadable++;
        o.print(`  [${n}] message ${m.MessageId}: left in the queue, ${(e as Error).message}`);
        continue;
      }
      o.print(`  [${n}] ${failure.keys.map((k) => JSON.stringify(k)).join(", ") || "(no object keys)"}  ${failure.attempts} attempt(s), failed ${age(failure.failedAt, now())} ago: ${failure.error}`);
      if (o.dryRun) continue;
      const out = await o.lambda.send(new InvokeCommand({ FunctionName: o.functionName, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(failure.event)) }));
      const answer = out.Payload ? Buffer.from(out.Payload).toString("utf8") : "";
      if (out.FunctionError) {
        failed++;
        o.print(`      replay failed, message kept: ${answer}`);
        continue;
      }
      await o.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      replayed++;
      o.print(`      replayed: ${answer}`);
    }
  }
  const summary = { seen: seen.size, replayed, failed, unreadable };
  o.print(
    o.dryRun
      ? `${o.queue}: ${summary.seen} message(s) waiting${unreadable ? `, ${unreadable} unreadable` : ""} (dry run: nothing replayed or deleted)`
      : `${o.queue}: ${replayed} replayed and deleted, ${failed} failed (kept, visible again in ${REPLAY_VISIBILITY_SECONDS / 60} min), ${unreadable} unreadable (kept)`,
  );
  return summary;
}
