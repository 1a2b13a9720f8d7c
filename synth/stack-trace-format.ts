/** Frames formatted per stack trace: Node's own default limit is 10. */
const FORMATTED_FRAMES = 20;

/**
 * cdktf captures the full creation stack of every token (Error.stackTraceLimit = MAX_SAFE_INTEGER), including each
 * reference it creates while resolving, for use in its error messages only. Formatting those deep stacks is most
 * of the cost of adding an environment (~40 ms of every 100 here). This formats at most the first 20 frames,
 * natively. Not installed when source maps are enabled (node --enable-source-maps): whoever debugs that way
 * gets Node's full, mapped stacks.
 */
export function formatShortStackTraces(): void {
  if (process.sourceMapsEnabled) return;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
    // What V8 writes first: "Name: message" (cdktf's capture passes a plain object: "Error").
    const head = Error.prototype.toString.call(error);
    return [head, ...frames.slice(0, FORMATTED_FRAMES).map((frame) => `    at ${String(frame)}`)].join("\n");
  };
}
