import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

const scratch = new Set<string>();

/** A temporary directory (tmpdir, never the working tree): removeScratch removes it, or the bench's exit does. */
export function scratchDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `ddn-bench-${name}-`));
  scratch.add(dir);
  return dir;
}

export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  scratch.delete(dir);
}

/** Every scratch directory left is removed on the way out, also after Ctrl-C or kill (which skip finally blocks). */
export function removeScratchOnExit(): void {
  process.on("exit", () => [...scratch].forEach(removeScratch));
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) process.on(signal, () => process.exit(code));
}

export interface RunStats {
  readonly ms: number;
  readonly rssMb: number;
}

/** Runs `node <args>` in a fresh process; wall time from the outside, peak RSS reported by the child itself. */
export function runNode(args: string[], env: Record<string, string> = {}): RunStats & { stdout: string } {
  const dir = scratchDir("run");
  try {
    const rssFile = path.join(dir, "rss");
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["--require", path.join(ROOT, "scripts", "peak-rss.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, DDN_RSS_FILE: rssFile },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} ${r.signal ? `stopped by ${r.signal}` : "failed"}:\n${r.stderr}`);
    return { ms, rssMb: Number(readFileSync(rssFile, "utf8")) / 1024, stdout: r.stdout };
  } finally {
    removeScratch(dir);
  }
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
  const dir = scratchDir("run");
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
    child.on("close", (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      try {
        if (code !== 0) throw new Error(`node ${args[0]} ... ${signal ? `stopped by ${signal}` : `failed (${code})`}:\n${stderr}`);
        resolve({ ms, rssMb: Number(readFileSync(rssFile, "utf8")) / 1024, stdout });
      } catch (error) {
        reject(error);
      } finally {
        removeScratch(dir);
      }
    });
  });
}
