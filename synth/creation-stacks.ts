/** What a token's creation stack reads when none was captured (cdktf drops the first line and a leading "at"). */
export const CREATION_STACKS_OFF = "stack traces disabled: set CDK_DEBUG=true to capture them";

/** aws-cdk-lib's switch for the same captures (its core/lib/debug.ts): "true" or "1". */
export const debuggingRequested = (env: NodeJS.ProcessEnv = process.env): boolean => env.CDK_DEBUG === "true" || env.CDK_DEBUG === "1";

/**
 * cdktf (and constructs, for metadata) captures the full creation stack of every token, reference and cross-stack
 * output it makes (Error.stackTraceLimit = MAX_SAFE_INTEGER, then reads `.stack` at once), for its error messages
 * only: ~3,000 captures for eight environments, a quarter of what an additional environment costs here.
 * aws-cdk-lib, whose code cdktf copied, captures them only when CDK_DEBUG is set, being "a rather expensive
 * operation"; this does the same for synthesis. Only that capture is skipped: a plain object (not an Error) with
 * an empty `stack`, asked for with the limit lifted. Errors keep their stacks. Captures stay on with CDK_DEBUG=true
 * or under `node --enable-source-maps` (whoever debugs that way wants the frames). A resolution error still names
 * the element and attribute it failed in (stacks/sparse-resolve.ts).
 */
export function captureCreationStacksOnlyWhenDebugging(): void {
  if (debuggingRequested() || process.sourceMapsEnabled) return;
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = function captureUnlessCreationStack(target: object, below?: Function): void {
    const holder = target as { stack?: unknown };
    if (!(target instanceof Error) && holder.stack === "" && Error.stackTraceLimit === Number.MAX_SAFE_INTEGER) {
      holder.stack = `Error\n${CREATION_STACKS_OFF}`;
      return;
    }
    capture(target, below);
  };
}
