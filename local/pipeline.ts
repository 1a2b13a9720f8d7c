import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { LocalRestApi } from "./api-gateway";
import { startLocalAws, type LocalAws } from "./aws-servers";
import { LocalFunction } from "./function-host";
import { LocalIdentity } from "./identity";
import { sqsRequests } from "./iam-actions";
import { functionSessions, LOCAL_CREDENTIALS, LocalIam } from "./local-iam";
import { pageFile, PAGE_PATHS } from "./page";
import { readRequestBody } from "./request-body";
import { corsRulesOf } from "./s3-cors";
import { LocalS3Notifications, type S3rverEvent } from "./s3-notifications";
import { LocalSqs } from "./sqs-server";
import { startLocalSsm } from "./ssm-server";
import { LOCAL_ACCOUNT, SynthesizedApp } from "../synth/synthesized-app";

/** Resource types the local pipeline runs for real. Any other type in the stacks is reported by name. */
const EMULATED: Record<string, string> = {
  aws_s3_bucket: "s3rver bucket",
  aws_s3_bucket_public_access_block: "anonymous requests refused",
  aws_s3_bucket_cors_configuration: "S3's CORS evaluation of the synthesized rules (preflights and responses)",
  aws_dynamodb_table: "dynalite table",
  aws_lambda_function: "worker thread per function, loaded from its asset zip",
  aws_s3_bucket_notification: "ObjectCreated events to the function",
  aws_lambda_function_event_invoke_config: "async retries (immediately), then the on-failure destination",
  aws_sqs_queue: "in-process SQS (JSON protocol): failure destinations, read by npm run redrive",
  aws_api_gateway_rest_api: "REST API on 127.0.0.1",
  aws_api_gateway_resource: "routes",
  aws_api_gateway_method: "routes",
  aws_api_gateway_integration: "Lambda proxy (v1) and mock integrations",
  aws_api_gateway_integration_response: "mock responses",
  aws_api_gateway_method_response: "mock responses",
  aws_api_gateway_gateway_response: "gateway errors",
  aws_api_gateway_authorizer: "TOKEN authorizer with result cache",
  aws_api_gateway_request_validator: "required parameters",
  aws_api_gateway_stage: "stage path prefix",
  aws_api_gateway_deployment: "the current definition is always deployed",
  aws_lambda_permission: "invocations are wired directly",
  aws_iam_role: "each function signs with its own role session's credentials (and its presigned URLs carry them)",
  aws_iam_role_policy: "S3, DynamoDB, SSM and SQS allow only what the role's policy and permissions boundary allow",
};

/** Known but not emulated: what it would do in AWS, and what happens locally instead. */
const NOT_EMULATED: Record<string, string> = {
  aws_api_gateway_method_settings: "throttling, metrics and execution logging are not enforced",
  aws_api_gateway_account: "account-level settings do not exist locally",
  aws_cloudwatch_log_group: "logs go to this console, not CloudWatch (no retention)",
  aws_sns_topic: "alarm notifications are not sent",
  aws_sns_topic_subscription: "alarm notifications are not sent",
  aws_cloudwatch_metric_alarm: "alarms are not evaluated (npm run redrive -- --dry-run shows the failure queue)",
  aws_s3_bucket_versioning: "s3rver keeps only the latest version; events carry a generated versionId",
  aws_s3_bucket_lifecycle_configuration: "lifecycle expiration and multipart abort do not run",
  aws_s3_bucket_policy: "the TLS-only policy cannot apply to plain HTTP on loopback",
  aws_s3_bucket_ownership_controls: "object ownership has no local meaning",
  aws_s3_bucket_server_side_encryption_configuration: "objects are stored unencrypted in a temporary directory",
};

export interface LocalPipelineOptions {
  readonly outdir: string;
  readonly port?: number;
  readonly log?: (line: string) => void;
}

export interface LocalPipeline {
  /** Base URL of the API's first stage, e.g. http://127.0.0.1:4000/dev */
  readonly apiUrl: string;
  readonly serverUrl: string;
  readonly aws: LocalAws;
  readonly notes: readonly string[];
  readonly notifications: LocalS3Notifications;
  /** The failure destinations' queues (SQS JSON protocol on loopback). */
  readonly sqs: LocalSqs;
  /** What `npm run redrive` needs to run against this pipeline (SQS and Lambda endpoints, credentials, region). */
  readonly redriveEnv: Record<string, string>;
  /** The browser origins the synthesized CORS rules allow (where the upload page works). */
  readonly allowedOrigins: readonly string[];
  issueToken(claims?: Record<string, unknown>, ttlSeconds?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const log = options.log ?? (() => undefined);
  const app = new SynthesizedApp(options.outdir);
  const storage = app.stackName("storage");
  const compute = app.stackName("compute");
  const notes: string[] = [];

  const types = new Set(Object.values(app.stacks).flatMap((s) => Object.keys(s.resource ?? {})));
  for (const type of [...types].sort()) {
    if (NOT_EMULATED[type]) notes.push(`${type}: ${NOT_EMULATED[type]}`);
    else if (!EMULATED[type]) notes.push(`${type}: not emulated (unknown to the local pipeline)`);
  }
  for (const [name, s] of Object.entries(app.stacks)) {
    for (const [address, fn] of Object.entries(s.resource?.aws_lambda_function ?? {})) {
      if (fn.tracing_config) notes.push(`${name} aws_lambda_function.${address}: X-Ray tracing is not emulated`);
    }
  }

  const buckets = app.resources(storage, "aws_s3_bucket").map((b) => app.resolveString(storage, b.body.bucket));
  const tableResource = app.resources(storage, "aws_dynamodb_table")[0];
  if (!tableResource) throw new Error(`${storage} declares no aws_dynamodb_table`);
  const table = { name: app.resolveString(storage, tableResource.body.name), hashKey: String(tableResource.body.hash_key) };

  let notifications: LocalS3Notifications | undefined;
  const cors = corsRulesOf(
    app.resources(storage, "aws_s3_bucket_cors_configuration").map((c) => ({
      bucket: app.resolveString(storage, c.body.bucket),
      rules: app.resolve(storage, c.body.cors_rule ?? []) as Array<Record<string, unknown>>,
    })),
  );
  const allowedOrigins = new Set([...cors.values()].flatMap((rules) => rules.flatMap((r) => r.allowedOrigins)));
  const region = app.region(compute);
  const iam = new LocalIam();
  const credentials = functionSessions(app, iam);
  const queues = app.resources(compute, "aws_sqs_queue").map((q) => app.resolveString(compute, q.body.name));
  const sqs = new LocalSqs(queues, LOCAL_ACCOUNT, iam, region);
  await sqs.start();
  const aws = await startLocalAws({ buckets, table, cors, iam, region, onS3Event: (e) => notifications?.onS3rverEvent(e as S3rverEvent) });

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fnResources = app.resources(compute, "aws_lambda_function");
  // The function the synthesized API uses as its authorizer: the local identity provider issues tokens it accepts.
  const apiStack = app.stackName("api");
  const authorizerFn = app.resources(apiStack, "aws_api_gateway_authorizer").map((a) => app.target(apiStack, a.body.authorizer_uri))[0];
  const authorizeEnv = (authorizerFn ? app.resolve(authorizerFn.stack, authorizerFn.body.environment?.variables ?? {}) : {}) as Record<string, string>;
  const identity = await LocalIdentity.create(authorizeEnv);
  const ssm = await startLocalSsm(identity.ssmParameters, { iam, region });

  const workRoot = mkdtempSync(path.join(tmpdir(), "ddn-local-functions-"));
  const functions = new Map<string, LocalFunction>();
  for (const f of fnResources) {
    const name = app.resolveString(compute, f.body.function_name);
    const session = credentials.get(name)!;
    const env: Record<string, string> = {
      ...(app.resolve(compute, f.body.environment?.variables ?? {}) as Record<string, string>),
      ...aws.env,
      // As Lambda does: the execution role's temporary credentials, not the operator's.
      AWS_ACCESS_KEY_ID: session.accessKeyId,
      AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
      AWS_SESSION_TOKEN: session.sessionToken,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(f.body.memory_size ?? 128),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "WARN",
      PATH: process.env.PATH ?? "",
    };
    if (env.JWKS_URL) {
      notes.push(`${name}: JWKS_URL ${env.JWKS_URL} replaced by the local JWKS ${serverUrl}/_local/jwks.json`);
      env.JWKS_URL = `${serverUrl}/_local/jwks.json`;
    }
    functions.set(
      name,
      new LocalFunction(name, {
        zipPath: path.join(app.stackDirs[compute]!, String(f.body.filename)),
        workDir: path.join(workRoot, name),
        handler: String(f.body.handler),
        env,
        timeoutSeconds: Number(f.body.timeout ?? 3),
        arn: `arn:aws:lambda:${app.region(compute)}:${LOCAL_ACCOUNT}:function:${name}`,
      }),
    );
  }

  const api = new LocalRestApi(app, functions, (e) => log(`${e.function} ${e.status} ${e.durationMs.toFixed(1)} ms${e.detail ? `  ${e.detail}` : ""}`), [...allowedOrigins]);
  notes.push(...api.unsupported);
  notifications = new LocalS3Notifications(app, functions, log, async (fn, queue, body) => {
    // Lambda sends the on-failure record with the function's execution role.
    const session = credentials.get(fn.name)!;
    const refused = iam.check(session.accessKeyId, session.sessionToken, sqsRequests({ region, account: LOCAL_ACCOUNT }, "SendMessage", { QueueName: queue })!);
    if (refused) return `${refused.code}: ${refused.message}`;
    await sqs.send(queue, body);
    return undefined;
  });

  const apiUrl = `${serverUrl}/${api.stages[0]}`;
  server.on("request", (req, res) => {
    const url = new URL(req.url ?? "/", serverUrl);
    if (req.method === "GET" && (PAGE_PATHS as readonly string[]).includes(url.pathname)) {
      void pageFile(url.pathname, { api: apiUrl, token: `${serverUrl}/_local/token` }).then(
        (page) => {
          res.setHeader("content-type", page!.type);
          res.end(page!.body);
        },
        (error: unknown) => {
          log(`page error: ${error instanceof Error ? error.message : String(error)}`);
          res.statusCode = 500;
          res.end();
        },
      );
      return;
    }
    if (url.pathname === "/_local/jwks.json" && identity.jwks) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(identity.jwks));
      return;
    }
    if (url.pathname === "/_local/token") {
      const sub = url.searchParams.get("sub") ?? "local-user";
      // Pages on the environment's allowed origins may fetch a token (a real app gets one from its identity provider).
      const origin = req.headers.origin;
      if (typeof origin === "string" && allowedOrigins.has(origin)) res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      void identity.issue({ sub }).then((token) => {
        res.setHeader("content-type", "text/plain");
        res.end(token);
      });
      return;
    }
    // Lambda's Invoke API (RequestResponse), for npm run redrive and any SDK client pointed at this server.
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (invoke && req.method === "POST") {
      void invokeLocally(functions, decodeURIComponent(invoke[1]!), req, res, log);
      return;
    }
    api.handle(req, res).catch((error: unknown) => {
      log(`local API error: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });

  return {
    apiUrl,
    allowedOrigins: [...allowedOrigins],
    serverUrl,
    aws,
    notes,
    notifications,
    sqs,
    redriveEnv: {
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: serverUrl,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
    issueToken: (claims, ttl) => identity.issue(claims, ttl),
    async stop() {
      await notifications?.idle();
      await sqs.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...functions.values()].map((f) => f.stop()));
      await ssm.stop();
      await aws.stop();
      rmSync(workRoot, { recursive: true, force: true });
    },
  };
}

export { LOCAL_CREDENTIALS };

/** POST /2015-03-31/functions/{name}/invocations: run the function once, answer as Lambda does (errors in a header). */
async function invokeLocally(functions: Map<string, LocalFunction>, name: string, req: IncomingMessage, res: ServerResponse, log: (line: string) => void): Promise<void> {
  const fn = functions.get(name.replace(/^arn:aws:lambda:[^:]+:[^:]+:function:/, "").replace(/:\$LATEST$/, ""));
  res.setHeader("content-type", "application/json");
  if (!fn) {
    res.statusCode = 404;
    res.setHeader("x-amzn-errortype", "ResourceNotFoundException");
    res.end(JSON.stringify({ Type: "User", message: `Function not found: ${name}` }));
    return;
  }
  if (req.headers["x-amz-invocation-type"] && req.headers["x-amz-invocation-type"] !== "RequestResponse") {
    res.statusCode = 400;
    res.setHeader("x-amzn-errortype", "InvalidParameterValueException");
    res.end(JSON.stringify({ Type: "User", message: "the local Lambda runs RequestResponse invocations only" }));
    return;
  }
  const payload = (await readRequestBody(req)).toString("utf8");
  let event: unknown = {};
  try {
    if (payload) event = JSON.parse(payload);
  } catch {
    res.statusCode = 400;
    res.setHeader("x-amzn-errortype", "InvalidRequestContentException");
    res.end(JSON.stringify({ Type: "User", message: "Could not parse request body into json" }));
    return;
  }
  const out = await fn.invoke(event);
  if (out.refused) {
    log(`${fn.name} refused  invoke (${out.refused.message})`);
    res.statusCode = out.refused.status;
    res.setHeader("x-amzn-errortype", out.refused.type);
    res.end(JSON.stringify({ Type: "User", message: out.refused.message }));
    return;
  }
  log(`${fn.name} ${out.ok ? "ok" : "error"} ${out.durationMs.toFixed(0)} ms  invoke${out.ok ? "" : ` (${out.error?.message})`}`);
  res.setHeader("x-amz-executed-version", "$LATEST");
  if (!out.ok) res.setHeader("x-amz-function-error", "Unhandled");
  res.end(JSON.stringify(out.ok ? (out.result ?? null) : { errorType: out.error?.name, errorMessage: out.error?.message }));
}
