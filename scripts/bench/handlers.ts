import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { buildSync } from "esbuild";
import { SignJWT } from "jose";
import { bundleFunction, ESBUILD_OPTIONS } from "../../constructs/bundle";
import { zipDeterministic } from "../../constructs/zip";
import { startLocalAws } from "../../local/aws-servers";
import { LOCAL_CREDENTIALS } from "../../local/local-iam";
import { startLocalSsm } from "../../local/ssm-server";
import { extractZip } from "../../local/unzip";
import { progress, removeScratch, ROOT, runNodeAsync, scratchDir } from "./measure";
import { presignFloor } from "./sigv4-floor";
import { principalPrefix } from "../../functions/lib/key-space";

export interface HandlerRow {
  readonly name: string;
  readonly jsKb: number;
  readonly zipKb: number;
  readonly coldLoadMs: number;
  readonly coldFirstMs: number;
  readonly warmUs: number;
  readonly iterations: number;
}

export interface HandlerResults {
  readonly rows: HandlerRow[];
  readonly floorUs: number;
  readonly processBytes: Array<{ objectBytes: number; bytesRead: number; requests: number }>;
}

// A fresh process: load the bundle, serve the first event (cold), then N more (warm).
const CHILD = `
const events = JSON.parse(require("node:fs").readFileSync(process.env.BENCH_EVENTS_FILE, "utf8"));
const n = Number(process.env.BENCH_N);
const t0 = performance.now();
const { handler } = require(process.env.BENCH_BUNDLE);
const t1 = performance.now();
const ctx = { functionName: "bench", awsRequestId: "bench", getRemainingTimeInMillis: () => 60000 };
const check = (r) => { if (r && r.statusCode >= 500) throw new Error(JSON.stringify(r)); };
(async () => {
  check(await handler(events[0], ctx));
  const t2 = performance.now();
  const warmup = Math.min(n, 200);
  for (let i = 0; i < warmup; i++) check(await handler(events[(i + 1) % events.length], ctx));
  const w0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) check(await handler(events[(i + 1) % events.length], ctx));
  const warmUs = Number(process.hrtime.bigint() - w0) / n / 1000;
  process.stdout.write(JSON.stringify({ loadMs: t1 - t0, firstMs: t2 - t1, warmUs }));
})().catch((e) => { console.error(e); process.exit(1); });`;

function extract(zipPath: string, dir: string): string {
  extractZip(zipPath, dir);
  return path.join(dir, "index.js");
}

function sequencer(i: number): string {
  return (0x1a00000000000000n + BigInt(i)).toString(16).toUpperCase();
}

function s3Event(bucket: string, key: string, size: number, seq: string) {
  return { Records: [{ eventName: "ObjectCreated:Put", eventTime: new Date().toISOString(), s3: { bucket: { name: bucket }, object: { key: encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/"), size, eTag: "x", sequencer: seq } } }] };
}

export async function handlerBenchmarks(quick: boolean): Promise<HandlerResults> {
  const work = scratchDir("handlers");
  const IN = "bench-in";
  const OUT = "bench-out";
  const TABLE = "bench-files";
  const aws = await startLocalAws({ buckets: [IN, OUT], table: { name: TABLE, hashKey: "key" } });
  const secret = randomBytes(32).toString("base64url");
  const ssm = await startLocalSsm({ "/bench/jwt": secret });
  const s3 = new S3Client({ endpoint: aws.s3Endpoint, forcePathStyle: true, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  try {
    const baseEnv = {
      ...aws.env,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      IN_BUCKET: IN,
      OUT_BUCKET: OUT,
      TABLE_NAME: TABLE,
      ALLOWED_ORIGINS: "http://localhost:3000",
      JWT_SECRET_PARAM: "/bench/jwt",
      JWT_ISSUER: "bench",
      JWT_AUDIENCE: "bench",
      LOG_LEVEL: "SILENT",
      KEY_SPACES: "private",
      MAX_UPLOAD_BYTES: String(1024 ** 3),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    // In the bench principal's key space, where status looks for it.
    const OBJECT = `${principalPrefix("bench")}bench/object.bin`;
    await s3.send(new PutObjectCommand({ Bucket: IN, Key: OBJECT, Body: randomBytes(1024), ContentType: "application/octet-stream" }));
    const token = await new SignJWT({ sub: "bench" }).setProtectedHeader({ alg: "HS256" }).setIssuer("bench").setAudience("bench").setExpirationTime("1h").sign(new TextEncoder().encode(secret));
    const methodArn = "arn:aws:execute-api:eu-west-1:000000000000:api/dev/GET/presign";

    const scale = quick ? 0.1 : 1;
    // Route events as API Gateway sends them after the authorizer: the principal names the caller's key space.
    const requestContext = { authorizer: { principalId: "bench" } };
    const presignEvents = Array.from({ length: 64 }, (_, i) => ({ queryStringParameters: { file: `uploads/file-${i}.png`, mode: "upload", size: "1024" }, headers: {}, requestContext }));
    const signPartEvents = Array.from({ length: 64 }, (_, i) => ({
      resource: "/s3/multipart/{uploadId}/{partNumber}",
      httpMethod: "GET",
      pathParameters: { uploadId: "104857600.bench-upload-id", partNumber: String((i % 20) + 1) },
      queryStringParameters: { key: `${principalPrefix("bench")}uploads/big-${i}.bin` },
      headers: {},
      requestContext,
    }));
    const cases: Array<{ name: string; entry: string; events: unknown[]; n: number }> = [
      { name: "presign", entry: "functions/presign/index.ts", events: presignEvents, n: 20000 * scale },
      { name: "presign baseline (getSignedUrl + S3Client)", entry: "scripts/bench/baseline-presign.ts", events: presignEvents, n: 20000 * scale },
      { name: "uploads (sign a multipart part)", entry: "functions/uploads/index.ts", events: signPartEvents, n: 20000 * scale },
      { name: "status", entry: "functions/status/index.ts", events: [{ pathParameters: { key: "bench/object.bin" }, headers: {}, requestContext }], n: Math.max(50, 500 * scale) },
      { name: "authorize", entry: "functions/authorize/index.ts", events: [{ type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn }], n: 5000 * scale },
      { name: "process", entry: "functions/process/index.ts", events: Array.from({ length: 1000 }, (_, i) => s3Event(IN, OBJECT, 1024, sequencer(i))), n: Math.max(20, 100 * scale) },
    ];

    const rows: HandlerRow[] = [];
    for (const c of cases) {
      let file: string;
      let js: number;
      let zip: number;
      if (c.entry.startsWith("functions/")) {
        const b = bundleFunction({ entry: c.entry, projectRoot: ROOT, outDir: path.join(work, "bundles", c.name), cache: false });
        file = extract(b.zipPath, path.join(work, "code", c.name));
        js = b.bytes.js;
        zip = b.bytes.zip;
      } else {
        const out = path.join(work, "code", "baseline", "index.js");
        buildSync({ ...ESBUILD_OPTIONS, write: true, absWorkingDir: ROOT, entryPoints: [c.entry], outfile: out });
        file = out;
        js = readFileSync(out).length;
        zip = zipDeterministic([{ name: "index.js", data: readFileSync(out) }, { name: "index.js.map", data: readFileSync(`${out}.map`) }]).length;
      }
      const eventsFile = path.join(work, `${c.name.split(" ")[0]}-events.json`);
      writeFileSync(eventsFile, JSON.stringify(c.events));
      const env = { ...baseEnv, BENCH_BUNDLE: file, BENCH_EVENTS_FILE: eventsFile, BENCH_N: String(Math.round(c.n)) };
      const samples: Array<{ loadMs: number; firstMs: number; warmUs: number }> = [];
      for (let i = 0; i < (quick ? 1 : 5); i++) samples.push(JSON.parse((await runNodeAsync(["-e", CHILD], env)).stdout));
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
      const row = { name: c.name, jsKb: js / 1024, zipKb: zip / 1024, coldLoadMs: med(samples.map((s) => s.loadMs)), coldFirstMs: med(samples.map((s) => s.firstMs)), warmUs: med(samples.map((s) => s.warmUs)), iterations: Math.round(c.n) };
      progress(`handler ${c.name}: ${row.jsKb.toFixed(0)} KB, cold ${row.coldLoadMs.toFixed(1)}+${row.coldFirstMs.toFixed(1)} ms, warm ${row.warmUs.toFixed(1)} us`);
      rows.push(row);
    }

    // The floor: SigV4 with node:crypto, in this process.
    const now = new Date();
    const n = 20000 * scale;
    for (let i = 0; i < 2000; i++) presignFloor("bench-in", `uploads/file-${i}.png`, "eu-west-1", "AKIA", "secret", now);
    const f0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) presignFloor("bench-in", `uploads/file-${i % 64}.png`, "eu-west-1", "AKIA", "secret", now);
    const floorUs = Number(process.hrtime.bigint() - f0) / n / 1000;

    const processBytes = await bytesReadByProcess(work, baseEnv, s3, IN, quick ? [1024, 1024 ** 2, 10 * 1024 ** 2] : [1024, 1024 ** 2, 100 * 1024 ** 2], aws.s3Endpoint);
    return { rows, floorUs, processBytes };
  } finally {
    s3.destroy();
    await ssm.stop();
    await aws.stop();
    removeScratch(work);
  }
}

/** Bytes S3 sends to the process handler per object, through a counting proxy in front of the S3 server. */
async function bytesReadByProcess(work: string, env: Record<string, string>, s3: S3Client, bucket: string, sizes: number[], s3Endpoint: string) {
  const target = new URL(s3Endpoint);
  let bytes = 0;
  let requests = 0;
  const proxy = createServer((req, res) => {
    requests++;
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.on("data", (c: Buffer) => {
        bytes += c.length;
        res.write(c);
      });
      r.on("end", () => res.end());
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const b = bundleFunction({ entry: "functions/process/index.ts", projectRoot: ROOT, outDir: path.join(work, "bundles", "process-bytes"), cache: false });
  const file = extract(b.zipPath, path.join(work, "code", "process-bytes"));
  const results: Array<{ objectBytes: number; bytesRead: number; requests: number }> = [];
  try {
    for (const [i, size] of sizes.entries()) {
      const key = `bytes/object-${size}.bin`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(size, 7) }));
      bytes = 0;
      requests = 0;
      const eventsFile = path.join(work, `bytes-${size}.json`);
      writeFileSync(eventsFile, JSON.stringify([s3Event(bucket, key, size, sequencer(10000 + i))]));
      await runNodeAsync(["-e", CHILD], { ...env, AWS_ENDPOINT_URL_S3: proxyUrl, BENCH_BUNDLE: file, BENCH_EVENTS_FILE: eventsFile, BENCH_N: "0" });
      results.push({ objectBytes: size, bytesRead: bytes, requests });
      progress(`process bytes read: object ${size} B -> ${bytes} B in ${requests} S3 requests`);
    }
  } finally {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  }
  return results;
}
