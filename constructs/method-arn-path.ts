/** The part of a method ARN after the stage: "GET/files/*" for GET /files/{key+}. */
export function methodArnPath(method: string, path: string): string {
  return `${method}/${path.split("/").filter(Boolean).map((s) => (s.startsWith("{") ? "*" : s)).join("/")}`;
}
