/**
 * Structured JSON logs, one line each, written straight to stdout: with the function's JSON log format Lambda
 * passes such lines through unchanged (console.* would wrap them in a second envelope).
 */
const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 99 } as const;
type Level = Exclude<keyof typeof LEVELS, "SILENT">;

function threshold(): number {
  const name = (process.env.AWS_LAMBDA_LOG_LEVEL || process.env.LOG_LEVEL || "INFO").toUpperCase();
  return LEVELS[name as keyof typeof LEVELS] ?? LEVELS.INFO;
}

export type LogFields = Record<string, unknown>;

/** Lambda runs one event at a time per container, so the current request id can live at module level. */
let requestId: string | undefined;

/** Call first in every handler: every log line of this invocation then carries the request id. */
export function beginInvocation(context?: { awsRequestId?: string }): void {
  requestId = context?.awsRequestId;
}

function write(level: Level, message: string, fields?: LogFields): void {
  if (LEVELS[level] < threshold()) return;
  const line = JSON.stringify({
    timestamp: new Date().toISOString(),
    level,
    message,
    function: process.env.AWS_LAMBDA_FUNCTION_NAME,
    requestId,
    ...fields,
  });
  process.stdout.write(line + "\n");
}

/** Error details for the log only; never for a response body. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) return { error: { name: error.name, message: error.message, stack: error.stack } };
  return { error: { message: String(error) } };
}

export const log = {
  debug: (message: string, fields?: LogFields) => write("DEBUG", message, fields),
  info: (message: string, fields?: LogFields) => write("INFO", message, fields),
  warn: (message: string, fields?: LogFields) => write("WARN", message, fields),
  error: (message: string, fields?: LogFields) => write("ERROR", message, fields),
};
