import { isObject } from "../functions/lib/is-object";
import { decodeEventKey } from "../functions/lib/s3-event";

/** What one message of a failure queue says, for people: which objects, why, how often tried, since when. */
export interface FailedEvent {
  /** The invocation's original event (what the redrive replays). */
  readonly event: unknown;
  /** Object keys of the event's records, decoded. */
  readonly keys: readonly string[];
  readonly error: string;
  readonly attempts: number;
  /** When Lambda gave up (ISO time). */
  readonly failedAt: string;
}

/**
 * Parses a record Lambda wrote to an asynchronous invocation's on-failure destination (requestContext,
 * requestPayload, responsePayload); throws with a reason for anything else.
 */
export function parseFailureRecord(body: string): FailedEvent {
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    throw new Error("the message is not JSON");
  }
  if (!isObject(record) || !isObject(record.requestContext) || !("requestPayload" in record)) {
    throw new Error("the message is not a Lambda on-failure record (no requestContext/requestPayload)");
  }
  const payload = record.requestPayload;
  const records = isObject(payload) && Array.isArray(payload.Records) ? payload.Records : [];
  const keys = records
    .map((r: unknown) => (isObject(r) && isObject(r.s3) && isObject(r.s3.object) && typeof r.s3.object.key === "string" ? decodeEventKey(r.s3.object.key) : undefined))
    .filter((k): k is string => k !== undefined);
  const response = isObject(record.responsePayload) ? record.responsePayload : {};
  const error = [response.errorType, response.errorMessage].filter((x) => typeof x === "string" && x !== "").join(": ") || String(record.requestContext.condition ?? "unknown");
  return {
    event: payload,
    keys,
    error,
    attempts: Number(record.requestContext.approximateInvokeCount ?? 0),
    failedAt: typeof record.timestamp === "string" ? record.timestamp : "",
  };
}
