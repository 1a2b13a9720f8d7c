import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface RunStats {
  readonly ms: number;
  readonly rssMb: number;
}

/** Runs `node <args>` in a fresh process; wall time from the outside, peak RSS reported by the child itself. */
export function runNode(args: string[], env: Record<string, string> = {}): RunStats & { stdout: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "ddn-bench-run-"));
  const rssFile = path.join(dir, "rss");
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--require", path.join(ROOT, "scripts", "peak-rss.js"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, DDN_RSS_FILE: rssFile },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${r.stderr}`);
  const rssMb = Number(readFileSync(rssFile, "utf8")) / 1024;
  rmSync(dir, { recursive: true, force: true });
  return { ms, rssMb, stdout: r.stdout };
}

export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function summarize(xs: readonly number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor((s.length - 1) / 2)]!, max: s[s.length - 1]! };
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** As runNode, without blocking this process: for children that talk to servers running here. */
export function runNodeAsync(args: string[], env: Record<string, string> = {}): Promise<RunStats & { stdout: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "ddn-bench-run-"));
  const rssFile = path.join(dir, "rss");
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--require", path.join(ROOT, "scripts", "peak-rss.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, DDN_RSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`node ${args[0]} ... failed (${code}):\n${stderr}`));
      const rssMb = Number(readFileSync(rssFile, "utf8")) / 1024;
      rmSync(dir, { recursive: true, force: true });
      resolve({ ms, rssMb, stdout });
    });
  });
}
