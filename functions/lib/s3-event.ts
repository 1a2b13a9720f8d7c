import type { S3Event, S3EventRecord } from "aws-lambda";
import { isObject } from "./is-object";

export interface CreatedObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly versionId?: string;
  readonly sequencer: string;
  readonly eventTime: string;
}

/** S3 form-URL-encodes keys in events: "+" is a space, "%2B" a plus. */
export function decodeEventKey(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, " "));
}

/** The s3:TestEvent S3 sends when a notification is configured has no Records. */
export function isTestEvent(event: unknown): boolean {
  return isObject(event) && event.Event === "s3:TestEvent";
}

export function records(event: unknown): unknown[] {
  return isObject(event) && Array.isArray(event.Records) ? event.Records : [];
}

export function isObjectCreated(record: unknown): boolean {
  return isObject(record) && typeof record.eventName === "string" && record.eventName.startsWith("ObjectCreated:");
}

/** Parses one ObjectCreated record; throws with a reason when the record is not what S3 sends. */
export function parseCreated(record: unknown): CreatedObject {
  const r = record as Partial<S3EventRecord>;
  const bucket = r.s3?.bucket?.name;
  const o = r.s3?.object;
  if (typeof bucket !== "string" || !o || typeof o.key !== "string" || typeof o.sequencer !== "string") {
    throw new Error("record lacks s3.bucket.name, s3.object.key or s3.object.sequencer");
  }
  return {
    bucket,
    key: decodeEventKey(o.key),
    size: typeof o.size === "number" ? o.size : Number(o.size ?? 0),
    etag: String(o.eTag ?? ""),
    ...(o.versionId ? { versionId: o.versionId } : {}),
    sequencer: o.sequencer,
    eventTime: typeof r.eventTime === "string" ? r.eventTime : new Date().toISOString(),
  };
}

export type { S3Event };
