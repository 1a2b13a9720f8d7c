import { createHash, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sqsRequests } from "./iam-actions";
import { guardJsonCall, withBody } from "./json-guard";
import { DEFAULT_LOCAL_REGION, LocalIam } from "./local-iam";
import { LOCAL_ACCOUNT } from "../synth/synthesized-app";

interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receipt?: string;
}

/** SQS's limit on one message body. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");

class SqsError extends Error {
  constructor(readonly type: string, readonly queryCode: string, message: string, readonly status = 400) {
    super(message);
  }
}

/**
 * Enough of Amazon SQS for the failure destinations and `npm run redrive`, speaking the JSON protocol the AWS SDK
 * uses (x-amz-target AmazonSQS.<Action>): GetQueueUrl, SendMessage, ReceiveMessage (visibility timeout, receive
 * count), DeleteMessage (current receipt handle only), GetQueueAttributes, with SQS's error types. No npm package
 * speaks that protocol in process (sqslite answers the query protocol only). Queues exist from the start, as
 * the synthesized stacks create them; on 127.0.0.1 only.
 */
export class LocalSqs {
  private readonly queues = new Map<string, StoredMessage[]>();
  private server?: Server;
  endpoint = "";

  constructor(
    queueNames: readonly string[],
    private readonly account = LOCAL_ACCOUNT,
    /** Who may do what (default: the operator's key only); requests must be signed for `region`. */
    private readonly iam = new LocalIam(),
    private readonly region = DEFAULT_LOCAL_REGION,
  ) {
    for (const name of queueNames) this.queues.set(name, []);
  }

  async start(): Promise<string> {
    const service = { service: "sqs", targetPrefix: "AmazonSQS.", scope: { region: this.region, account: this.account }, requestsOf: sqsRequests };
    this.server = createServer((req, res) => {
      withBody(req, res, (raw) => {
        const target = String(req.headers["x-amz-target"] ?? "");
        res.setHeader("content-type", "application/x-amz-json-1.0");
        try {
          const refused = guardJsonCall(this.iam, service, req, raw);
          if (refused) throw new SqsError(refused.type, refused.type, refused.message, refused.status);
          if (!target.startsWith("AmazonSQS.")) throw new SqsError("com.amazonaws.sqs#InvalidAction", "InvalidAction", "this server speaks the SQS JSON protocol only");
          const out = this.dispatch(target.slice("AmazonSQS.".length), JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>);
          res.end(JSON.stringify(out));
        } catch (e) {
          const err = e instanceof SqsError ? e : new SqsError("com.amazonaws.sqs#InternalError", "InternalError", String(e), 500);
          res.statusCode = err.status;
          res.setHeader("x-amzn-query-error", `${err.queryCode};Sender`);
          res.end(JSON.stringify({ __type: err.type, message: err.message }));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Enqueues a message the way SendMessage does (Lambda delivering an on-failure record, from inside the pipeline). */
  async send(queue: string, body: string): Promise<void> {
    this.dispatch("SendMessage", { QueueUrl: `${this.endpoint}/${this.account}/${queue}`, MessageBody: body });
  }

  /** The messages of a queue, visible or not (for tests and the log). */
  messages(queue: string): readonly { body: string; receiveCount: number }[] {
    return this.queues.get(queue) ?? [];
  }

  private queueOf(url: unknown): StoredMessage[] {
    const name = typeof url === "string" ? url.split("/").pop() ?? "" : "";
    const q = this.queues.get(name);
    if (!q) throw new SqsError("com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
    return q;
  }

  private dispatch(action: string, input: Record<string, unknown>): unknown {
    const now = Date.now();
    switch (action) {
      case "GetQueueUrl": {
        const name = String(input.QueueName ?? "");
        if (!this.queues.has(name)) throw new SqsError("com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
        return { QueueUrl: `${this.endpoint}/${this.account}/${name}` };
      }
      case "SendMessage": {
        const q = this.queueOf(input.QueueUrl);
        const body = input.MessageBody;
        if (typeof body !== "string" || body.length === 0) throw new SqsError("com.amazonaws.sqs#MissingParameter", "MissingParameter", "The request must contain the parameter MessageBody.");
        if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) throw new SqsError("com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue", `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
        const id = randomUUID();
        q.push({ id, body, sentAt: now, receiveCount: 0, visibleAt: now });
        return { MessageId: id, MD5OfMessageBody: md5(body) };
      }
      case "ReceiveMessage": {
        const q = this.queueOf(input.QueueUrl);
        const max = Number(input.MaxNumberOfMessages ?? 1);
        if (!Number.isInteger(max) || max < 1 || max > 10) throw new SqsError("com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue", "Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
        const visibility = Number(input.VisibilityTimeout ?? 30);
        const picked = q.filter((m) => m.visibleAt <= now).slice(0, max);
        for (const m of picked) {
          m.receiveCount++;
          m.receipt = randomUUID();
          m.visibleAt = now + visibility * 1000;
        }
        return {
          Messages: picked.map((m) => ({
            MessageId: m.id,
            ReceiptHandle: m.receipt,
            MD5OfBody: md5(m.body),
            Body: m.body,
            Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
          })),
        };
      }
      case "DeleteMessage": {
        const q = this.queueOf(input.QueueUrl);
        const i = q.findIndex((m) => m.receipt !== undefined && m.receipt === input.ReceiptHandle);
        if (i < 0) throw new SqsError("com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle is invalid.");
        q.splice(i, 1);
        return {};
      }
      case "GetQueueAttributes": {
        const q = this.queueOf(input.QueueUrl);
        const visible = q.filter((m) => m.visibleAt <= now).length;
        return { Attributes: { ApproximateNumberOfMessages: String(visible), ApproximateNumberOfMessagesNotVisible: String(q.length - visible) } };
      }
      default:
        throw new SqsError("com.amazonaws.sqs#InvalidAction", "InvalidAction", `The action ${action} is not valid for this endpoint.`);
    }
  }
}
