import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as Esbuild from "esbuild";
import { zipDeterministic, zipDeterministicAsync, type ZipEntry } from "./zip";

export interface BundleOptions {
  /** Handler entry, relative to the project root, e.g. functions/presign/index.ts */
  readonly entry: string;
  /** Project root (where package.json and cdktf.json live). */
  readonly projectRoot: string;
  /** Where the zip is written; a directory outside cdktf.out so synth can copy it in. */
  readonly outDir: string;
  /** Reuse the previous zip when no input changed (default: on unless DDN_BUNDLE_CACHE=off). */
  readonly cache?: boolean;
}

export interface Bundle {
  /** Absolute path of the deterministic zip: index.js + index.js.map at its root. */
  readonly zipPath: string;
  /** base64 SHA-256 of the zip, the value Lambda reports as CodeSha256 (so no perpetual diff). */
  readonly sourceCodeHash: string;
  /** hex SHA-256 of the zip, short form used in the asset path. */
  readonly assetHash: string;
  readonly bytes: { readonly js: number; readonly zip: number };
  /** True when the zip was reused because no input changed. */
  readonly cached: boolean;
}

/**
 * Fixed esbuild settings: same source, same bytes. Node 22 target matches the nodejs22.x runtime; CommonJS so
 * the handler is `index.handler`; the AWS SDK is bundled (not taken from the runtime) so the code that runs is
 * the code that was tested, at the pinned version.
 */
export const ESBUILD_OPTIONS: Readonly<Esbuild.BuildOptions> = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  // "linked": the bundle names its map (//# sourceMappingURL), so NODE_OPTIONS=--enable-source-maps finds it.
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "none",
  mainFields: ["module", "main"],
  logLevel: "error",
  write: false,
};

interface CacheManifest {
  readonly key: string;
  /** Every project file esbuild read, relative to the project root, with its SHA-1. */
  readonly inputs: Record<string, string>;
  /** The installed dependencies' identity (see dependenciesHash): node_modules inputs are not hashed one by one. */
  readonly dependencies: string;
  readonly bytes: { js: number; zip: number };
}

const sha1 = (data: Buffer | string) => createHash("sha1").update(data).digest("hex");

let loadedEsbuild: typeof Esbuild | undefined;
/** Loaded on the first cache miss: a synth that reuses every bundle never pays for loading esbuild (~50 ms here). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const esbuild = (): typeof Esbuild => (loadedEsbuild ??= require("esbuild") as typeof Esbuild);

let esbuildVersion: string | undefined;
/** The installed esbuild's version, from its package.json (the same string esbuild's `version` export holds). */
function installedEsbuildVersion(): string {
  return (esbuildVersion ??= (JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8")) as { version: string }).version);
}

function cacheKey(entry: string): string {
  return sha1(JSON.stringify({ esbuildVersion: installedEsbuildVersion(), ESBUILD_OPTIONS, entry, zip: 1 }));
}

/** Files of installed packages (esbuild names them relative to the project root). */
const isDependency = (file: string) => file.startsWith("node_modules/") || file.includes("/node_modules/");

const dependencyHashes = new Map<string, { stamp: string; hash: string }>();
/**
 * What npm installed, as two files: the lockfile and npm's record of the installed tree
 * (node_modules/.package-lock.json, rewritten by every npm ci / install). Hashing them replaces hashing each of the
 * ~4,000 dependency files a warm synth would otherwise read (they are re-read only when their size or mtime moved).
 * Pitfall: a hand edit inside node_modules (a patch not made through npm) is not seen; delete
 * node_modules/.cache/ddn-bundles or set DDN_BUNDLE_CACHE=off after one.
 */
function dependenciesHash(projectRoot: string): string {
  const files = ["package-lock.json", "node_modules/.package-lock.json"].map((f) => path.join(projectRoot, f));
  const stamp = files.map((f) => { const st = statSync(f, { throwIfNoEntry: false }); return st ? `${st.mtimeMs}:${st.size}` : "-"; }).join("|");
  const memo = dependencyHashes.get(projectRoot);
  if (memo?.stamp === stamp) return memo.hash;
  const hash = sha1(Buffer.concat(files.flatMap((f) => [existsSync(f) ? readFileSync(f) : Buffer.alloc(0), Buffer.from("\0")])));
  dependencyHashes.set(projectRoot, { stamp, hash });
  return hash;
}

function hashInputs(projectRoot: string, files: readonly string[]): Record<string, string> | undefined {
  const inputs: Record<string, string> = {};
  for (const file of files.filter((f) => !isDependency(f))) {
    const abs = path.resolve(projectRoot, file);
    if (!existsSync(abs)) return undefined;
    inputs[file] = sha1(readFileSync(abs));
  }
  return inputs;
}

function describe(zipPath: string, zip: Buffer, bytes: CacheManifest["bytes"], cached: boolean): Bundle {
  const digest = createHash("sha256").update(zip).digest();
  return {
    zipPath,
    sourceCodeHash: digest.toString("base64"),
    assetHash: digest.toString("hex").slice(0, 32),
    bytes,
    cached,
  };
}

function reuse(options: BundleOptions, zipPath: string, manifestPath: string): Bundle | undefined {
  if (!existsSync(zipPath) || !existsSync(manifestPath)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as CacheManifest;
    if (manifest.key !== cacheKey(options.entry) || manifest.dependencies !== dependenciesHash(options.projectRoot)) return undefined;
    const now = hashInputs(options.projectRoot, Object.keys(manifest.inputs));
    if (!now || Object.entries(manifest.inputs).some(([file, hash]) => now[file] !== hash)) return undefined;
    return describe(zipPath, readFileSync(zipPath), manifest.bytes, true);
  } catch {
    return undefined; // a corrupt manifest just means a rebuild
  }
}

/** Several processes (jest workers, parallel synths) may build the same bundle: readers never see half a file. */
function writeFileAtomic(file: string, data: Buffer | string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}

/**
 * One entry per esbuild call. esbuild names symbols by their file's path from the entries' common folder: alone,
 * functions/presign/index.ts exports `index_exports`; built with others, `presign_exports`. That name is in the source
 * map, so the zips would depend on which handlers were rebuilt together. Parallel calls give the same bytes. Virtual (write: false): the source map's
 * paths are relative to <root>/.bundle/<entry>/, kept inside the project whatever outDir is, so a zip's bytes do
 * not depend on where the project or the bundle cache lives.
 */
function buildOptions(options: BundleOptions): Esbuild.BuildOptions & { metafile: true } {
  return {
    ...ESBUILD_OPTIONS,
    metafile: true,
    absWorkingDir: options.projectRoot,
    entryPoints: [options.entry],
    outfile: path.join(options.projectRoot, ".bundle", options.entry.replace(/\.[cm]?[jt]s$/, ""), "index.js"),
  };
}

interface Built {
  readonly files: readonly ZipEntry[];
  /** Every file esbuild read for the entry. */
  readonly inputs: readonly string[];
}

function built(result: Esbuild.BuildResult<{ metafile: true }>): Built {
  return {
    files: (result.outputFiles ?? []).map((f) => ({ name: path.basename(f.path), data: Buffer.from(f.contents) })),
    inputs: Object.keys(result.metafile.inputs),
  };
}

function store(options: BundleOptions, built: Built, zip: Buffer): Bundle {
  const js = built.files.find((f) => f.name === "index.js");
  if (!js) throw new Error(`esbuild produced no index.js for ${options.entry}`);
  const zipPath = path.join(options.outDir, "function.zip");
  mkdirSync(options.outDir, { recursive: true });
  writeFileAtomic(zipPath, zip);
  const bytes = { js: js.data.length, zip: zip.length };
  const inputs = hashInputs(options.projectRoot, built.inputs);
  if (inputs) {
    const manifest: CacheManifest = { key: cacheKey(options.entry), inputs, dependencies: dependenciesHash(options.projectRoot), bytes };
    writeFileAtomic(path.join(options.outDir, "inputs.json"), JSON.stringify(manifest));
  }
  return describe(zipPath, zip, bytes, false);
}

function cached(options: BundleOptions): Bundle | undefined {
  const useCache = options.cache ?? process.env.DDN_BUNDLE_CACHE !== "off";
  return useCache ? reuse(options, path.join(options.outDir, "function.zip"), path.join(options.outDir, "inputs.json")) : undefined;
}

/** esbuild -> deterministic zip, reusing the last zip when none of the files esbuild read has changed. */
export function bundleFunction(options: BundleOptions): Bundle {
  const hit = cached(options);
  if (hit) return hit;
  const b = built(esbuild().buildSync(buildOptions(options)));
  return store(options, b, zipDeterministic(b.files));
}

/**
 * bundleFunction for many handlers at once, asynchronously: the cache misses build in parallel in esbuild's own
 * process and their zips deflate on the thread pool, so the caller's thread stays free meanwhile (main.ts loads
 * cdktf while this runs). Same bytes as bundleFunction, entry by entry.
 */
export async function bundleFunctions(all: readonly BundleOptions[]): Promise<Bundle[]> {
  return Promise.all(
    all.map(async (options) => {
      const hit = cached(options);
      if (hit) return hit;
      const b = built(await esbuild().build(buildOptions(options)));
      return store(options, b, await zipDeterministicAsync(b.files));
    }),
  );
}
