/** IAM-style ARN matching: "*" matches any run of characters ("/" included), "?" one character. */
export function matchesArnPattern(pattern: string, arn: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(arn);
}
