import { randomUUID } from "node:crypto";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { LAMBDA_QUOTAS } from "../config/aws-quotas";
import { extractZip } from "./unzip";

export interface InvokeResult {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { name: string; message: string };
  /** Lambda refused the invocation itself (the function never ran): the Invoke API's error. */
  readonly refused?: { status: number; type: string; message: string };
  readonly durationMs: number;
}

export type InvocationType = "RequestResponse" | "Event";

// Runs inside the worker: loads the bundle once (the "container") and serves invocations.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { handler } = require(workerData.entry);
parentPort.on("message", async ({ id, event, deadline }) => {
  const context = {
    functionName: workerData.functionName,
    awsRequestId: id,
    invokedFunctionArn: workerData.arn,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    parentPort.postMessage({ id, ok: true, result: await handler(event, context) });
  } catch (e) {
    parentPort.postMessage({ id, ok: false, error: { name: (e && e.name) || "Error", message: (e && e.message) || String(e) } });
  }
});`;

/**
 * One Lambda function run locally from its asset zip: a worker thread per function, so each has its own
 * environment variables and module state (its own "container"), reused across invocations like a warm Lambda.
 */
export class LocalFunction {
  private worker: Worker;
  private readonly pending = new Map<string, (r: Omit<InvokeResult, "durationMs">) => void>();

  constructor(
    readonly name: string,
    private readonly options: { zipPath: string; workDir: string; handler: string; env: Record<string, string>; timeoutSeconds: number; arn: string },
  ) {
    const [file, exported] = options.handler.split(".");
    if (exported !== "handler") throw new Error(`${name}: handler "${options.handler}" is not <file>.handler`);
    extractZip(options.zipPath, options.workDir);
    this.worker = this.start(path.join(options.workDir, `${file}.js`));
  }

  private start(entry: string): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: this.options.env,
      execArgv: ["--enable-source-maps"],
      workerData: { entry, functionName: this.name, arn: this.options.arn },
    });
    worker.on("message", (m: { id: string; ok: boolean; result?: unknown; error?: { name: string; message: string } }) => {
      this.pending.get(m.id)?.(m);
      this.pending.delete(m.id);
    });
    worker.on("error", (e) => {
      for (const resolve of this.pending.values()) resolve({ ok: false, error: { name: "Runtime.ExitError", message: e.message } });
      this.pending.clear();
    });
    worker.unref();
    return worker;
  }

  /** The function's ARN, as its context reports it. */
  get arn(): string {
    return this.options.arn;
  }

  /**
   * Runs the function once. Synchronous invocations are held to Lambda's payload quotas (a local worker takes any
   * size); asynchronous ones (S3 notifications) carry small events and discard the response.
   */
  invoke(event: unknown, type: InvocationType = "RequestResponse"): Promise<InvokeResult> {
    const started = performance.now();
    if (type === "RequestResponse") {
      const requestBytes = Buffer.byteLength(JSON.stringify(event ?? null));
      if (requestBytes > LAMBDA_QUOTAS.syncRequestBytes) {
        const message = `Request must be smaller than ${LAMBDA_QUOTAS.syncRequestBytes} bytes for the InvokeFunction operation`;
        return Promise.resolve({ ok: false, refused: { status: 413, type: "RequestEntityTooLargeException", message }, durationMs: 0 });
      }
    }
    return this.run(event, type, started);
  }

  private run(event: unknown, type: InvocationType, started: number): Promise<InvokeResult> {
    const id = randomUUID();
    const deadline = Date.now() + this.options.timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        // Like Lambda after a timeout: the container is discarded.
        void this.worker.terminate();
        this.worker = this.start(path.join(this.options.workDir, `${this.options.handler.split(".")[0]}.js`));
        resolve({ ok: false, error: { name: "Sandbox.Timedout", message: `Task timed out after ${this.options.timeoutSeconds} seconds` }, durationMs: performance.now() - started });
      }, this.options.timeoutSeconds * 1000);
      timer.unref();
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        const durationMs = performance.now() - started;
        if (type === "RequestResponse" && r.ok && Buffer.byteLength(JSON.stringify(r.result ?? null)) > LAMBDA_QUOTAS.syncResponseBytes) {
          const message = `Response payload size exceeded maximum allowed payload size (${LAMBDA_QUOTAS.syncResponseBytes} bytes).`;
          resolve({ ok: false, error: { name: "Function.ResponseSizeTooLarge", message }, durationMs });
          return;
        }
        resolve({ ...r, durationMs });
      });
      this.worker.postMessage({ id, event, deadline });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
