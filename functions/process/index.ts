import type { Context, S3Event } from "aws-lambda";
import { dynamodbClient, s3Client } from "../lib/clients";
import { ownerOfKey } from "../lib/key-space";
import { beginInvocation, errorFields, log } from "../lib/log";
import { copyObject } from "./copy";
import { putIfNewer, storedSequencer } from "./records-table";
import { isObjectCreated, isTestEvent, parseCreated, records, type CreatedObject } from "../lib/s3-event";
import { sortableSequencer } from "./sequencer";

export type Outcome = "processed" | "skipped-stale" | "ignored";

export interface ProcessSummary {
  readonly processed: number;
  readonly skipped: number;
  readonly ignored: number;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

async function processObject(o: CreatedObject, outBucket: string, table: string): Promise<Outcome> {
  const sequencerSort = sortableSequencer(o.sequencer);
  const db = dynamodbClient();
  const stored = await storedSequencer(db, table, o.key);
  // A duplicate or an older event: the newer state is already there, copying again would only add versions.
  if (stored !== undefined && stored >= sequencerSort) return "skipped-stale";

  const copy = await copyObject(s3Client(), { bucket: o.bucket, key: o.key, ...(o.versionId ? { versionId: o.versionId } : {}) }, outBucket);
  const owner = ownerOfKey(o.key);
  const written = await putIfNewer(
    db,
    table,
    {
      key: o.key,
      ...(owner ? { owner } : {}),
      size: copy.size,
      // The upload's ETag (what the uploader's PUT returned), so a client can match the record to its upload.
      etag: copy.sourceEtag.replace(/"/g, ""),
      contentType: copy.contentType,
      ...(o.versionId ? { versionId: o.versionId } : {}),
      ...(copy.outVersionId ? { outVersionId: copy.outVersionId } : {}),
      sequencer: o.sequencer,
      uploadedAt: o.eventTime,
      processedAt: new Date().toISOString(),
      status: "PROCESSED",
    },
    sequencerSort,
  );
  return written ? "processed" : "skipped-stale";
}

/**
 * S3 ObjectCreated -> server-side copy to OUT_BUCKET + metadata in TABLE_NAME. Every record is attempted; if any
 * failed, one error naming the failed keys is thrown afterwards so Lambda retries and then the on-failure
 * destination takes the event (the work already done is idempotent).
 */
export async function handler(event: S3Event, context?: Context): Promise<ProcessSummary> {
  beginInvocation(context);
  if (isTestEvent(event)) {
    log.info("ignoring s3:TestEvent");
    return { processed: 0, skipped: 0, ignored: 1 };
  }
  const outBucket = requireEnv("OUT_BUCKET");
  const table = requireEnv("TABLE_NAME");

  const counts = { processed: 0, skipped: 0, ignored: 0 };
  // Each failed key with its cause: the message lands in the failure queue, where an operator reads it.
  const failed: string[] = [];
  for (const record of records(event)) {
    if (!isObjectCreated(record)) {
      counts.ignored++;
      continue;
    }
    let label = "(unparseable record)";
    const started = Date.now();
    try {
      const o = parseCreated(record);
      label = o.key;
      const outcome = await processObject(o, outBucket, table);
      if (outcome === "processed") counts.processed++;
      else counts.skipped++;
      log.info(outcome === "processed" ? "processed" : "skipped stale or duplicate event", {
        key: o.key,
        size: o.size,
        versionId: o.versionId,
        sequencer: o.sequencer,
        durationMs: Date.now() - started,
      });
    } catch (error) {
      const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      failed.push(`${JSON.stringify(label)} (${cause.slice(0, 300)})`);
      log.error("record failed", { key: label, ...errorFields(error) });
    }
  }
  if (failed.length > 0) {
    throw new Error(`Failed to process ${failed.length} record(s): ${failed.join(", ")}`);
  }
  return counts;
}
