import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as Esbuild from "esbuild";
import { buildStart, contentHash, fileMtime, installedEsbuildVersion, npmRecordHash, recordable, statStamp } from "../synth/build-cache";
import { folderSettingsOf, packageJsonsOf, projectSettingsHash, searchedNames } from "../synth/unlisted-inputs";
import { esbuildService } from "../synth/esbuild-service";
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
 * Packages the handler bundles take from elsewhere, by the name every import uses. Relative paths are from the
 * project root (esbuild's working directory).
 */
export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  // The SDK's default credential chain, cut down to the one link Lambda uses: see functions/lib/lambda-credentials.ts.
  "@aws-sdk/credential-provider-node": "./functions/lib/lambda-credentials.ts",
};

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
  alias: LAMBDA_ALIASES,
  logLevel: "error",
  write: false,
};

interface CacheManifest {
  readonly key: string;
  /** Every project file esbuild read, relative to the project root, with its SHA-1. */
  readonly inputs: Record<string, string>;
  /** npm's record of the install (see synth/build-cache.js npmRecordHash). */
  readonly dependencies: string;
  /** Every installed file esbuild read, with its size and mtime (stat, not read: there are ~1,200). */
  readonly installed: Record<string, string>;
  readonly bytes: { js: number; zip: number };
}

const sha1 = (data: Buffer | string) => createHash("sha1").update(data).digest("hex");

/**
 * The build's settings: esbuild's and ours, and the project's own that esbuild reads (tsconfig.json, package.json),
 * read once per project root at one moment (`settings`).
 */
function cacheKey(options: BundleOptions, settings: Map<string, string>): string {
  // layout 2: symbols named from the project root (outbase), whether built alone or together. inputs 2: manifests
  // hold the subfolders' settings (one recorded before would not see a tsconfig.json added in functions/).
  const project = once(settings, options.projectRoot, projectSettingsHash);
  return sha1(JSON.stringify({ esbuildVersion: installedEsbuildVersion(), ESBUILD_OPTIONS, entry: options.entry, project, zip: 1, layout: 2, inputs: 2 }));
}

/** Files of installed packages (esbuild names them relative to the project root). */
const isDependency = (file: string) => file.startsWith("node_modules/") || file.includes("/node_modules/");

type Stamps = Record<string, string>;

/** What `take` gives for a file, taken once per `taken` map (by absolute path: the handlers share most files). */
function once(taken: Map<string, string>, file: string, take: (file: string) => string): string {
  let value = taken.get(file);
  if (value === undefined) {
    value = take(file);
    taken.set(file, value);
  }
  return value;
}

/**
 * Size and mtime of each of these installed files (see synth/build-cache.js). `seen` holds the stamps taken during one
 * bundleFunctions call: five handlers read ~4,000 installed files, ~1,300 distinct. A stamp taken before the build
 * is the safe one to record: a file edited while esbuild runs then looks changed at the next check, never unchanged.
 */
function installedStamps(projectRoot: string, files: readonly string[], seen = new Map<string, string>()): Stamps {
  return Object.fromEntries(files.map((f) => [f, once(seen, path.resolve(projectRoot, f), statStamp)]));
}

/**
 * Content hashes of the project files among these (installed ones are stamped instead); "missing" where none.
 * Taken once per moment (before a build, or after it): five handlers read ~60 project files, ~30 distinct.
 */
function hashInputs(projectRoot: string, files: readonly string[], { hashed, listings }: Taken): Record<string, string> {
  return Object.fromEntries(files.filter((f) => !isDependency(f)).map((f) => [f, once(hashed, path.resolve(projectRoot, f), (file) => contentHash(file, listings))]));
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

const zipPathOf = (options: BundleOptions) => path.join(options.outDir, "function.zip");
/** A bundle's record of what it was built from, next to its zip: a directory holding one is a handler bundle. */
export const BUNDLE_MANIFEST = "inputs.json";
const manifestPathOf = (options: BundleOptions) => path.join(options.outDir, BUNDLE_MANIFEST);

/** The manifest of the last build of this bundle, if the cache is on and both the zip and a readable manifest exist. */
function cacheManifest(options: BundleOptions): CacheManifest | undefined {
  const useCache = options.cache ?? process.env.DDN_BUNDLE_CACHE !== "off";
  if (!useCache || !existsSync(zipPathOf(options))) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestPathOf(options), "utf8")) as CacheManifest;
    return typeof manifest.installed === "object" && typeof manifest.inputs === "object" ? manifest : undefined;
  } catch {
    return undefined; // none, or corrupt: either way a rebuild
  }
}

/** The last zip, if nothing it was built from changed: settings, npm's install, installed files, project files. */
function reuse(options: BundleOptions, manifest: CacheManifest, now: Checked): Bundle | undefined {
  if (manifest.key !== now.key || manifest.dependencies !== now.dependencies) return undefined;
  if (Object.entries(manifest.installed).some(([file, stamp]) => now.installed[file] !== stamp)) return undefined;
  if (Object.entries(manifest.inputs).some(([file, hash]) => now.inputs[file] !== hash)) return undefined;
  try {
    return describe(zipPathOf(options), readFileSync(zipPathOf(options)), manifest.bytes, true);
  } catch {
    return undefined; // removed meanwhile (another process rebuilding it): build it here too
  }
}

/** Several processes (jest workers, parallel synths) may build the same bundle: readers never see half a file. */
function writeFileAtomic(file: string, data: Buffer | string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}

/** Where an entry's output would be, relative to the project root: <root>/.bundle/<entry without extension>/index.js. */
const virtualOut = (entry: string) => path.join(".bundle", entry.replace(/\.[cm]?[jt]s$/, ""), "index");

/**
 * Settings for building these entries, alone or several in one call, with the same bytes either way. Pitfall:
 * esbuild names symbols by their file's path from a base folder, for plain entries their common folder: alone,
 * functions/presign/index.ts would export `index_exports`, built with others `presign_exports` (a name in the source
 * map), so the zips would depend on which handlers were rebuilt together. Every build names its entries as
 * { in, out } from the project root as outbase, alone or not (tested).
 * Virtual (write: false): the source map's paths are relative to <root>/.bundle/<entry>/, kept inside the project
 * whatever outDir is, so a zip's bytes do not depend on where the project or the bundle cache lives.
 */
function buildOptions(projectRoot: string, entries: readonly string[]): Esbuild.BuildOptions & { metafile: true } {
  return {
    ...ESBUILD_OPTIONS,
    metafile: true,
    absWorkingDir: projectRoot,
    outbase: projectRoot,
    outdir: projectRoot,
    entryPoints: entries.map((entry) => ({ in: entry, out: virtualOut(entry) })),
  };
}

interface Built {
  readonly files: readonly ZipEntry[];
  /** Every file esbuild read for the entry, and where it looked in the project's folders (see searchedNames). */
  readonly inputs: readonly string[];
}

/** What one entry of a build produced and read: its output files, and every input reachable from it. */
function builtEntry(projectRoot: string, entry: string, result: Esbuild.BuildResult<{ metafile: true }>): Built {
  const outDir = path.join(projectRoot, path.dirname(virtualOut(entry)));
  const files = (result.outputFiles ?? []).filter((f) => path.dirname(f.path) === outDir);
  const inputs = new Set<string>();
  const searched = new Set<string>();
  const visit = (file: string): void => {
    if (inputs.has(file)) return;
    inputs.add(file);
    for (const imported of result.metafile.inputs[file]?.imports ?? []) {
      if (imported.external) continue;
      for (const names of searchedNames(imported)) searched.add(names);
      visit(imported.path);
    }
  };
  visit(entry.split(path.sep).join("/"));
  // A view of esbuild's bytes, not a copy: copying the ~5 MB of five handlers' output made V8 run a full GC
  // (~20 ms) right after the build.
  const data = (f: Esbuild.OutputFile) => Buffer.from(f.contents.buffer, f.contents.byteOffset, f.contents.byteLength);
  return { files: files.map((f) => ({ name: path.basename(f.path), data: data(f) })), inputs: [...inputs, ...searched] };
}

/** The project inputs' hashes and the installed files' stamps, at one moment: before a build, or once it is done. */
interface InputStamps {
  readonly inputs: Record<string, string>;
  readonly installed: Stamps;
}

/**
 * What the cache check read before a build: the last build's inputs as they are now, the settings and npm's record.
 * Recorded as read then: settings saved while esbuild runs must not be recorded with what it built before them.
 */
interface Checked extends InputStamps {
  readonly key: string;
  readonly dependencies: string;
}

/**
 * What one moment (before a build, or once it is done) has taken, so that the handlers of a call take each thing
 * once: project hashes, folder listings (names inputs), the package.json files governing each installed folder, the
 * project's settings and npm's record of its install. Installed stamps (`seen`) are shared by both moments: one taken
 * before the build is the safe one to record (see installedStamps).
 */
interface Taken {
  readonly seen: Map<string, string>;
  readonly hashed: Map<string, string>;
  readonly listings: Map<string, readonly string[]>;
  readonly folders: Map<string, readonly string[]>;
  readonly settings: Map<string, string>;
  readonly records: Map<string, string>;
}

const moment = (seen: Map<string, string>): Taken => ({ seen, hashed: new Map(), listings: new Map(), folders: new Map(), settings: new Map(), records: new Map() });

/**
 * What a build read, as it is once the build is done: its inputs, the settings of the project's folders they are in
 * (a tsconfig.json added in functions/, say: esbuild lists none), and the installed package.json files they obey.
 */
function readByBuild(options: BundleOptions, built: Built, taken: Taken): InputStamps {
  const read = [...new Set([...built.inputs, ...folderSettingsOf(built.inputs, options.projectRoot, taken.listings)])];
  const installed = read.filter(isDependency);
  return {
    inputs: hashInputs(options.projectRoot, read, taken),
    installed: installedStamps(options.projectRoot, [...installed, ...packageJsonsOf(installed, options.projectRoot, taken.folders)], taken.seen),
  };
}

/** One esbuild call: when it started (buildStart()), and the files it found changed while it ran, named once. */
interface BuildRun {
  readonly since: number;
  readonly named: Set<string>;
}

const buildRun = (): BuildRun => ({ since: buildStart(), named: new Set() });

/**
 * Writes the zip, and its manifest unless an input is gone or changed while esbuild ran (see recordable in
 * synth/build-cache.js): without a manifest the next check builds again. `before`: what the cache check stamped
 * before the build.
 */
function store(options: BundleOptions, built: Built, zip: Buffer, before: Checked, { inputs, installed }: InputStamps, run: BuildRun): Bundle {
  const js = built.files.find((f) => f.name === "index.js");
  if (!js) throw new Error(`esbuild produced no index.js for ${options.entry}`);
  const { since, named } = run;
  const recorded = [
    recordable(before.inputs, inputs, { since, mtimeOf: (file) => fileMtime(path.resolve(options.projectRoot, file)) }, named),
    recordable(before.installed, installed, { since }, named),
  ].every(Boolean);
  mkdirSync(options.outDir, { recursive: true });
  if (!recorded) rmSync(manifestPathOf(options), { force: true });
  const zipPath = zipPathOf(options);
  writeFileAtomic(zipPath, zip);
  const bytes = { js: js.data.length, zip: zip.length };
  if (recorded) {
    const manifest: CacheManifest = { key: before.key, inputs, dependencies: before.dependencies, installed, bytes };
    writeFileAtomic(manifestPathOf(options), JSON.stringify(manifest));
  }
  return describe(zipPath, zip, bytes, false);
}

/**
 * The settings, npm's record and the last build's inputs as they are now: what the check compares, and what a
 * rebuild must still find and records (see store).
 */
const stampsNow = (options: BundleOptions, manifest: CacheManifest | undefined, taken: Taken): Checked => ({
  key: cacheKey(options, taken.settings),
  dependencies: once(taken.records, options.projectRoot, npmRecordHash),
  inputs: hashInputs(options.projectRoot, Object.keys(manifest?.inputs ?? {}), taken),
  installed: installedStamps(options.projectRoot, Object.keys(manifest?.installed ?? {}), taken.seen),
});

/** esbuild -> deterministic zip, reusing the last zip when none of the files esbuild read has changed. */
export function bundleFunction(options: BundleOptions): Bundle {
  const manifest = cacheManifest(options);
  const seen = new Map<string, string>();
  const before = stampsNow(options, manifest, moment(seen));
  const hit = manifest && reuse(options, manifest, before);
  if (hit) return hit;
  const run = buildRun();
  const b = builtEntry(options.projectRoot, options.entry, esbuildService().buildSync(buildOptions(options.projectRoot, [options.entry])));
  const zip = zipDeterministic(b.files);
  return store(options, b, zip, before, readByBuild(options, b, moment(seen)), run);
}

/**
 * bundleFunction for many handlers at once, asynchronously: the cache misses build in one esbuild call in its own
 * process (the modules they share, the AWS SDK above all, are parsed once: ~0.65 s here instead of ~1.5 s for five
 * calls) and their zips deflate on the thread pool, so the caller's thread stays free meanwhile (main.ts loads
 * cdktf while this runs). Same bytes as bundleFunction, entry by entry.
 */
export async function bundleFunctions(all: readonly BundleOptions[]): Promise<Bundle[]> {
  const seen = new Map<string, string>();
  // Project files hashed before the build and after it, apart: comparing the two is what finds a save during it.
  const [beforeBuild, afterBuild] = [moment(seen), moment(seen)];
  const manifests = all.map((options) => cacheManifest(options));
  const before = all.map((options, i) => stampsNow(options, manifests[i], beforeBuild));
  const hits = all.map((options, i) => manifests[i] && reuse(options, manifests[i], before[i]!));
  const misses = all.filter((_options, i) => !hits[i]);
  const run = buildRun();
  const results = new Map<string, Esbuild.BuildResult<{ metafile: true }>>();
  for (const projectRoot of new Set(misses.map((o) => o.projectRoot))) {
    const entries = [...new Set(misses.filter((o) => o.projectRoot === projectRoot).map((o) => o.entry))];
    results.set(projectRoot, await esbuildService().build(buildOptions(projectRoot, entries)));
  }
  const built = all.map((options, i) => (hits[i] ? undefined : builtEntry(options.projectRoot, options.entry, results.get(options.projectRoot)!)));
  // Every deflate starts on the thread pool first; this thread hashes and stamps what the build read meanwhile
  // (~1,300 stats: ~40 ms here), instead of after each zip while the pool idles.
  const zips = built.map((b) => b && zipDeterministicAsync(b.files));
  const read = built.map((b, i) => b && readByBuild(all[i]!, b, afterBuild));
  return Promise.all(all.map(async (options, i) => hits[i] ?? store(options, built[i]!, (await zips[i])!, before[i]!, read[i]!, run)));
}
