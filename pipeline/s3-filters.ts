/** An S3 notification rule as S3 compares them: event types and the key's prefix and suffix filters. */
export interface NotificationFilter {
  readonly events: readonly string[];
  readonly prefix: string;
  readonly suffix: string;
}

export const DEFAULT_OBJECT_CREATED_EVENTS = ["s3:ObjectCreated:*"] as const;

// "s3:ObjectCreated:*" covers "s3:ObjectCreated:Put"; S3 treats such pairs as the same event type.
const covers = (pattern: string, type: string) => pattern === type || (pattern.endsWith("*") && type.startsWith(pattern.slice(0, -1)));

/**
 * S3 refuses a notification configuration in which two rules can match the same object for the same event type:
 * their event types intersect, one prefix starts with the other and one suffix ends with the other.
 */
export function filtersOverlap(a: NotificationFilter, b: NotificationFilter): boolean {
  const events = a.events.some((x) => b.events.some((y) => covers(x, y) || covers(y, x)));
  const prefixes = a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);
  const suffixes = a.suffix.endsWith(b.suffix) || b.suffix.endsWith(a.suffix);
  return events && prefixes && suffixes;
}
