/** A plain object (not null, not an array): what every event and parameter map must be before it is read. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
