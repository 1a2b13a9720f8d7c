import { mkdtempSync, rmSync } from "node:fs";
import { Agent, createServer, request, type IncomingHttpHeaders, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamodbRequests } from "./iam-actions";
import { guardJsonCall, withBody } from "./json-guard";
import { DEFAULT_LOCAL_REGION, LOCAL_CREDENTIALS, LocalIam } from "./local-iam";
import { S3Cors, type CorsRule } from "./s3-cors";
import { iamLikeS3, type IamContext } from "./s3-iam";
import { multipartLikeS3, type MultipartContext } from "./s3-multipart";
import { LOCAL_ACCOUNT } from "../synth/synthesized-app";

// Neither server ships types; the surface used here is small.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("@20minutes/s3rver") as new (options: Record<string, unknown>) => {
  configureBuckets(): Promise<void>;
  callback(): RequestListener;
  localIam?: LocalIam;
  localRegion?: string;
  logger: { close(): void; exceptions?: { unhandle(): void } };
  on(event: "event", listener: (event: unknown) => void): void;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: Record<string, unknown>) => import("node:net").Server;

/**
 * Makes s3rver read x-amz-copy-source as S3 does. S3 percent-decodes the whole value and takes `?versionId=`
 * as the version; s3rver applies decodeURI (which keeps %2B, %2F, %3F ... encoded) and has no versions. So the
 * header is decoded fully, the version dropped (s3rver keeps only the latest), and re-encoded for decodeURI.
 */
function normalizeCopySource(headers: IncomingHttpHeaders): void {
  const raw = headers["x-amz-copy-source"];
  if (typeof raw !== "string") return;
  const [source] = raw.split("?versionId=");
  headers["x-amz-copy-source"] = encodeURI(decodeURIComponent(source ?? raw));
}

type RouterLayer = { stack: Array<{ name: string }> };
interface S3rverContext {
  headers: IncomingHttpHeaders;
  method: string;
  state: { account?: unknown };
  status: number;
  type: string;
  body: unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const s3rverRouter = require("@20minutes/s3rver/lib/routes") as {
  stack: RouterLayer[];
  use(path: string, mw: (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>): void;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const s3rverAccounts = require("@20minutes/s3rver/lib/models/account") as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; revokeAccessKey(id: string): void } };
let copySourceFixInstalled = false;

/**
 * Layers placed right after s3rver's authentication layer (installed once per process; the router is a
 * singleton): they must see the request after its signature was checked.
 * - Private buckets: S3 with the public access block refuses anonymous requests; s3rver serves them.
 * - IAM: the signer's policies must allow the request (see iamLikeS3).
 * - x-amz-copy-source is signed, so it may only be rewritten after the check (see normalizeCopySource).
 * - Multipart uploads follow S3's rules (see multipartLikeS3).
 */
function installS3Fidelity(): void {
  if (copySourceFixInstalled) return;
  const auth = s3rverRouter.stack.findIndex((layer) => layer.stack.some((fn) => fn.name === "authentication"));
  if (auth < 0) throw new Error("s3rver's authentication layer was not found; the S3 fidelity layers cannot be placed");
  s3rverRouter.use("/:bucket?/:key*", async function refuseAnonymous(ctx, next) {
    if (!ctx.state.account) {
      ctx.status = 403;
      ctx.type = "application/xml";
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
      return;
    }
    await next();
  });
  s3rverRouter.use("/:bucket?/:key*", (ctx, next) => iamLikeS3(ctx as unknown as IamContext, next));
  s3rverRouter.use("/:bucket/:key*", async function copySourceLikeS3(ctx, next) {
    normalizeCopySource(ctx.headers);
    await next();
  });
  s3rverRouter.use("/:bucket/:key*", (ctx, next) => multipartLikeS3(ctx as unknown as MultipartContext, next));
  const layers = s3rverRouter.stack.splice(s3rverRouter.stack.length - 4, 4);
  s3rverRouter.stack.splice(auth + 1, 0, ...layers);
  copySourceFixInstalled = true;
}

export interface LocalAwsOptions {
  readonly buckets: readonly string[];
  readonly table?: { readonly name: string; readonly hashKey: string };
  /** Silence the servers' own request logs (default true). */
  readonly silent?: boolean;
  /** Called with s3rver's event for every object write or delete. */
  readonly onS3Event?: (event: unknown) => void;
  /** Bucket CORS rules (from the synthesized configuration), applied as S3 applies them. */
  readonly cors?: ReadonlyMap<string, readonly CorsRule[]>;
  /** Who may do what (default: the operator's key only, which may do anything). */
  readonly iam?: LocalIam;
  /** The region the buckets and the table are in (signatures must be scoped to it); default us-east-1. */
  readonly region?: string;
}

export interface LocalAws {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  /** Environment for handlers and SDK clients pointing at these servers. */
  readonly env: Record<string, string>;
  /**
   * An injected fault: every write under `prefix` of `bucket` (PUT, copy, part, completion) is refused with 403
   * AccessDenied, as a bucket policy Deny would refuse it. Returns the function that lifts the fault.
   */
  refuseWrites(bucket: string, prefix: string): () => void;
  stop(): Promise<void>;
}

/**
 * Real S3 (SigV4-verifying) and DynamoDB servers on 127.0.0.1, random ports, data in a temporary directory and
 * in memory. Nothing leaves loopback. Both authenticate every request and authorize it with `iam`.
 */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const directory = mkdtempSync(path.join(tmpdir(), "ddn-s3rver-"));
  const iam = options.iam ?? new LocalIam();
  const region = options.region ?? DEFAULT_LOCAL_REGION;
  installS3Fidelity();
  const s3 = new S3rver({
    address: "127.0.0.1",
    silent: options.silent ?? true,
    directory,
    allowMismatchedSignatures: false,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  });
  s3.localIam = iam;
  s3.localRegion = region;
  // s3rver's key registry is one per process: each session's key is added to it, and revoked at stop.
  const keys: string[] = [];
  const unwatch = iam.watchSessionKeys((k) => {
    s3rverAccounts.DUMMY_ACCOUNT.createKeyPair(k.accessKeyId, k.secretAccessKey);
    keys.push(k.accessKeyId);
  });
  if (options.onS3Event) s3.on("event", options.onS3Event);
  await s3.configureBuckets();
  const koa = s3.callback();
  const cors = new S3Cors(options.cors ?? new Map());
  const refusals = new Set<{ bucket: string; prefix: string }>();
  const s3Server = createServer((req, res) => {
    // Path-style requests: the bucket is the first path segment.
    const [, rawBucket = "", ...rawKey] = new URL(req.url ?? "/", "http://local").pathname.split("/");
    const bucket = decodeURIComponent(rawBucket);
    if (req.method === "OPTIONS") return cors.preflight(bucket, req, res);
    if (req.method === "PUT" || req.method === "POST") {
      const key = decodeURIComponent(rawKey.join("/"));
      if ([...refusals].some((r) => r.bucket === bucket && key.startsWith(r.prefix))) {
        req.resume();
        res.statusCode = 403;
        res.setHeader("content-type", "application/xml");
        res.end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
        return;
      }
    }
    cors.actual(bucket, req, res);
    return koa(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    s3Server.once("error", reject);
    s3Server.listen(0, "127.0.0.1", () => resolve());
  });
  const s3Address = s3Server.address() as AddressInfo;

  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once("error", reject);
    dynamo.listen(0, "127.0.0.1", () => resolve());
  });
  // DynamoDB in front of dynalite (which checks no signature): authenticated and authorized, then passed on.
  const dynamoPort = (dynamo.address() as AddressInfo).port;
  const dynamoService = { service: "dynamodb", targetPrefix: "DynamoDB_20120810.", scope: { region, account: LOCAL_ACCOUNT }, requestsOf: dynamodbRequests };
  const dynamoAgent = new Agent({ keepAlive: true });
  const dynamoFront = createServer((req, res) => {
    withBody(req, res, (body) => {
      const refused = guardJsonCall(iam, dynamoService, req, body);
      if (refused) {
        res.writeHead(refused.status, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ __type: `com.amazon.coral.service#${refused.type}`, message: refused.message }));
        return;
      }
      const upstream = request({ host: "127.0.0.1", port: dynamoPort, method: req.method, path: req.url, headers: req.headers, agent: dynamoAgent }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", (e) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ __type: "com.amazon.coral.service#InternalFailure", message: e.message }));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    dynamoFront.once("error", reject);
    dynamoFront.listen(0, "127.0.0.1", () => resolve());
  });
  const dynamoAddress = dynamoFront.address() as AddressInfo;

  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
  const dynamodbEndpoint = `http://127.0.0.1:${dynamoAddress.port}`;
  const env = {
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: region,
  };

  if (options.table) {
    const db = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS });
    await db.send(
      new CreateTableCommand({
        TableName: options.table.name,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: options.table.hashKey, KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: options.table.hashKey, AttributeType: "S" }],
      }),
    );
    db.destroy();
  }

  return {
    s3Endpoint,
    dynamodbEndpoint,
    env,
    refuseWrites(bucket, prefix) {
      const fault = { bucket, prefix };
      refusals.add(fault);
      return () => refusals.delete(fault);
    },
    async stop() {
      await new Promise<void>((resolve) => s3Server.close(() => resolve()));
      s3.logger.exceptions?.unhandle();
      s3.logger.close();
      dynamoFront.closeAllConnections();
      await new Promise<void>((resolve) => dynamoFront.close(() => resolve()));
      dynamoAgent.destroy();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      unwatch();
      for (const id of keys) s3rverAccounts.DUMMY_ACCOUNT.revokeAccessKey(id);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
