import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BUNDLE_MANIFEST } from "../../constructs/bundle";
import { appArgs, scriptArgs } from "../app-command";

export const ROOT = path.resolve(__dirname, "../..");
export const CHANGES_DIR = path.join(ROOT, "__tests__", "fixtures", "changes");
const NOT_COPIED = new Set(["node_modules", ".git", "cdktf.out", "coverage", ".bench"]);

/** A copy of the project in a temporary directory (node_modules linked, not copied); nothing is written here. */
export function copyProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ddn-change-"));
  for (const entry of readdirSync(ROOT)) {
    if (NOT_COPIED.has(entry) || entry.startsWith(".cdktf.out")) continue;
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

interface Edit {
  readonly file: string;
  readonly find: string;
  readonly replace: string;
}

/** Every file below a directory, relative to it. */
export function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const abs = path.join(dir, name);
    return statSync(abs).isDirectory() ? listFiles(abs, base) : [path.relative(base, abs)];
  });
}

/** Applies one fixture change to a copy; returns the project files it touched (created or edited). */
export function applyChange(copy: string, change: string): string[] {
  const dir = path.join(CHANGES_DIR, change);
  const touched = new Set<string>();
  const files = path.join(dir, "files");
  if (existsSync(files)) {
    for (const file of listFiles(files)) {
      cpSync(path.join(files, file), path.join(copy, file));
      touched.add(file);
    }
  }
  const editsFile = path.join(dir, "edits.json");
  for (const edit of existsSync(editsFile) ? (JSON.parse(readFileSync(editsFile, "utf8")) as Edit[]) : []) {
    const target = path.join(copy, edit.file);
    const text = readFileSync(target, "utf8");
    const count = text.split(edit.find).length - 1;
    if (count !== 1) throw new Error(`${change}: "${edit.find}" occurs ${count} times in ${edit.file} (the fixture's anchor must occur exactly once)`);
    writeFileSync(target, text.replace(edit.find, edit.replace));
    touched.add(edit.file);
  }
  return [...touched].sort();
}

export function run(copy: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd: copy, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
}

/** As run, without blocking the test's event loop (two of them can share the machine's cores). */
export function runAsync(copy: string, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: copy, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The copy's configured environments, as its own `npm run environments` prints them. */
export function environmentsOf(copy: string): string[] {
  const r = run(copy, scriptArgs(copy, "environments"));
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

/**
 * The bundle directory copies share with the rest of the test run: bundles do not depend on where the project
 * lives, and the cache rebuilds any whose sources differ, so an unchanged function is built once for all copies.
 */
export function sharedBundleDir(copy: string): string {
  return process.env.DDN_BUNDLE_DIR ?? path.join(copy, ".bundles");
}

/**
 * A bundle directory of a test's own (to edit what the bundles' cache key holds, or to see exactly what compiles
 * leave), started with the handler bundles the shared one holds: the first synth into an empty one bundled every
 * handler again, ~0.9 s of CPU, for sources the shared directory had bundled already. The launcher's compiled files
 * (entries/) are not taken: what a test checks of them starts from nothing. A bundle whose sources differ is
 * rebuilt as always.
 */
export function ownBundleDir(dir: string, copy: string): string {
  const shared = sharedBundleDir(copy);
  mkdirSync(dir, { recursive: true });
  for (const name of existsSync(shared) ? readdirSync(shared) : []) {
    if (existsSync(path.join(shared, name, BUNDLE_MANIFEST))) cpSync(path.join(shared, name), path.join(dir, name), { recursive: true });
  }
  return dir;
}

export interface SynthOptions {
  /** Default main.ts. */
  readonly entry?: string;
  /** Where the copy's handler bundles and compiled files go; default sharedBundleDir(copy). */
  readonly bundleDir?: string;
  /** More environment variables for the run. */
  readonly env?: Record<string, string>;
  /** Node options before the launcher's (a --require of a test's preload, say). */
  readonly nodeArgs?: readonly string[];
}

/** `npm run synth` (the app command of cdktf.json) of one environment in the copy, into `outdir`. */
export function synth(copy: string, env: string, outdir: string, options: SynthOptions = {}): SpawnSyncReturns<string> {
  return run(copy, [...(options.nodeArgs ?? []), ...appArgs(copy, options.entry)], {
    DDN_ENV: env,
    CDKTF_OUTDIR: outdir,
    DDN_BUNDLE_DIR: options.bundleDir ?? sharedBundleDir(copy),
    ...options.env,
  });
}

export function stackJson(outdir: string, stack: string): any {
  return JSON.parse(readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
}
