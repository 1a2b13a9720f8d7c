// `npm run local`: the synthesized pipeline, offline, on 127.0.0.1. Usage: npm run local -- [--port N] [--no-synth]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { servePage } from "./page-server";
import { startLocalPipeline } from "./pipeline";
import { curlWalkthrough } from "./walkthrough";
import { DEFAULT_ENV, loadConfig, naming } from "../config";
import { PROJECT_ROOT, SYNTH_ARGS } from "../pipeline/project-root";

// The SDK warns that Node 20 support ends; the functions themselves run on nodejs22.x in AWS.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const args = process.argv.slice(2);
const portArg = args.indexOf("--port");
const port = portArg >= 0 ? Number(args[portArg + 1]) : 4000;
const outdir = path.join(PROJECT_ROOT, "cdktf.out");

function newestSource(): number {
  let newest = 0;
  const walk = (p: string) => {
    const s = statSync(p);
    if (s.isDirectory()) readdirSync(p).forEach((n) => walk(path.join(p, n)));
    else newest = Math.max(newest, s.mtimeMs);
  };
  for (const p of ["main.ts", "config", "stacks", "constructs", "functions", "pipeline", "policy", "synth", "package-lock.json"]) if (existsSync(path.join(PROJECT_ROOT, p))) walk(path.join(PROJECT_ROOT, p));
  return newest;
}

function synthIfStale(): void {
  const manifest = path.join(outdir, "manifest.json");
  const env = process.env.DDN_ENV || DEFAULT_ENV;
  const fresh = existsSync(manifest) && statSync(manifest).mtimeMs > newestSource() && existsSync(path.join(outdir, "stacks", naming(loadConfig(env)).stack("api")));
  if (args.includes("--no-synth") || fresh) {
    console.log(`Using the synthesized output in cdktf.out (${fresh ? "up to date" : "--no-synth"}).`);
    return;
  }
  console.log("Synthesizing (cdktf.out is missing or older than the sources)...");
  const r = spawnSync(process.execPath, [...SYNTH_ARGS], { cwd: PROJECT_ROOT, stdio: "inherit", env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

async function main(): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (got ${args[portArg + 1]})`);
  synthIfStale();
  const time = () => new Date().toISOString().slice(11, 23);
  const pipeline = await startLocalPipeline({ outdir, port, log: (line) => console.log(`${time()}  ${line}`) });
  console.log("\nNot emulated (by name):");
  for (const note of pipeline.notes) console.log(`  - ${note}`);
  const pages = await servePageOnAllowedOrigins(pipeline.allowedOrigins, pipeline.serverUrl);
  console.log(`
Local pipeline running. API: ${pipeline.apiUrl}
  S3 (s3rver, SigV4-verifying, the buckets' CORS rules): ${pipeline.aws.s3Endpoint}    DynamoDB (dynalite): ${pipeline.aws.dynamodbEndpoint}
  Upload page: ${pages.length ? pages.join(", ") : `none: no allowed origin of this environment is http://localhost:<port> (the page at ${pipeline.serverUrl}/ works only from an allowed origin)`}
  Uppy page:   ${pages.length ? pages.map((p) => `${p}uppy?user=alice`).join(", ") : "none (as above)"}  (another ?user= is another key space)

Failed events (after every retry) wait in the local failure queue; replay them from another terminal with:
  ${Object.entries(pipeline.redriveEnv).map(([k, v]) => `${k}=${v}`).join(" ")} npm run redrive -- --env ${process.env.DDN_ENV || DEFAULT_ENV}

Try it with curl (in another terminal, one line at a time):
${curlWalkthrough(pipeline.apiUrl, pipeline.serverUrl).map((l) => `  ${l}`).join("\n")}

Invocations are logged below (function, status, duration). Ctrl-C stops everything.
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping...");
    await pipeline.stop();
    console.log("Stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

/** The page must run on an allowed origin: serve it on each allowed http://localhost:<port> origin (a port in use is reported). */
async function servePageOnAllowedOrigins(origins: readonly string[], serverUrl: string): Promise<string[]> {
  const served: string[] = [];
  for (const origin of origins) {
    const url = new URL(origin);
    if (url.protocol !== "http:" || url.hostname !== "localhost" || !url.port) continue;
    const page = await servePage(Number(url.port), () => serverUrl);
    if (page) {
      page.server.unref();
      served.push(`${origin}/`);
    } else console.log(`Upload page: port ${url.port} is in use, so ${origin}/ is not served.`);
  }
  return served;
}

main().catch((error: unknown) => {
  console.error(`local: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
