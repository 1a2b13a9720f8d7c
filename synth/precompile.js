// @ts-check
// Compiles a TypeScript entry into two CommonJS files, each rebuilt only when what it was built from changed:
// - the app: the project's own sources (about 60 files, 0.1 s to compile), checked by content hash every run;
// - the vendor: every installed package the app imports (cdktf, constructs, provider modules: about 430 files,
//   0.7 s to compile), checked by npm's record of the install and by size and mtime of each file it holds
//   (build-cache.js: the handler zips' rule too), so a hand edit in node_modules is seen.
// An edit to a stack recompiles only the app. Files are named by their content hash (see code-cache.js).
"use strict";
const { createHash } = require("node:crypto");
const { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } = require("node:fs");
const { isBuiltin } = require("node:module");
const path = require("node:path");
const layout = require("../pipeline/layout.json");
const { buildStart, bundleCacheDir, contentHash, fileMtime, installedEsbuildVersion, MISSING, npmRecordHash, recordable, statStamp } = require("./build-cache");
const { folderSettingsOf, packageJsonsOf, projectSettingsHash, searchedNames } = require("./unlisted-inputs");
const { esbuildService } = require("./esbuild-service");

const ROOT = path.resolve(__dirname, "..");
/**
 * Files outside the import graph that change what esbuild emits (this file holds the build options); the project's
 * tsconfig.json and package.json count through projectSettingsHash (unlisted-inputs.js), the handler zips' rule too.
 */
const SETTINGS_FILES = ["synth/precompile.js"];
/** Packages that stay installed packages: esbuild runs its own binary, found relative to its package. */
const NOT_BUNDLED = ["esbuild"];
/** How the app's require reaches the vendor (set by synth/precompiled.js before the app runs). */
const REQUIRE_SYMBOL = "ddn.precompiled.require";

/** @param {string | Uint8Array} data */
const sha1 = (data) => createHash("sha1").update(data).digest("hex");

/** @param {string} file project-relative or absolute */
const absolute = (file) => path.resolve(ROOT, file);

/** The function folders the registry will load (pipeline/registry.ts reads the same layout). */
function declarationNames() {
  const dir = path.join(ROOT, layout.functionsDir);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, layout.declarationFile)))
    .map((d) => d.name)
    .sort();
}

/**
 * The compiled program: the registry is handed the declarations (plain node cannot require function.ts), then the
 * entry runs. Generated, so that adding a function folder needs no edit here.
 * @param {string} entry @param {readonly string[]} names
 */
function appProgram(entry, names) {
  const table = names.map((n) => `  ${JSON.stringify(n)}: require(${JSON.stringify(`./${layout.functionsDir}/${n}/${layout.declarationFile}`)}),`);
  return [
    `require("./pipeline/registry").useCompiledDeclarations(${JSON.stringify(ROOT)}, {`,
    ...table,
    "});",
    `require(${JSON.stringify(`./${entry}`)});`,
  ].join("\n");
}

/**
 * The vendor: one loader per package the app imports, each loading its package on first use (as require would).
 * @param {readonly string[]} packages
 */
function vendorProgram(packages) {
  return ["module.exports = {", ...packages.map((p) => `  ${JSON.stringify(p)}: () => require(${JSON.stringify(p)}),`), "};"].join("\n");
}

/** "@scope/name/lib/x" -> "@scope/name", "name/lib/x" -> "name" @param {string} specifier */
const packageName = (specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

/**
 * Where node finds a package from the project root: the first node_modules/<name> up the tree (a monorepo may
 * hoist it above the project), through any link. @param {string} name
 */
function installedAt(name) {
  for (let dir = ROOT; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(candidate)) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return MISSING;
  }
}

/**
 * Content hashes of project files, taken at one moment: the folders that names inputs stand for are listed once.
 * @param {Map<string, readonly string[]>} [listings] the folders listed at this moment
 * @returns {(file: string) => string}
 */
const contentStamps = (listings = new Map()) => (file) => contentHash(absolute(file), listings);
/** @param {string} file size and mtime of installed files (hundreds of them: stat, do not read) */
const installedStamp = (file) => statStamp(absolute(file));

/** @param {readonly string[]} files @param {(file: string) => string} stamp */
const stampAll = (files, stamp) => Object.fromEntries(files.map((f) => [f, stamp(f)]));

/**
 * packages: each package the app imports, with the first project file that imports it. root: the project the
 * directory serves (see removeOrphans).
 * @typedef {{ key: string, root: string, output: string, inputs: Record<string, string>, packages: Record<string, string> }} Manifest
 * @param {string} dir @param {string} name @returns {Manifest | undefined}
 */
function readManifest(dir, name) {
  try {
    return JSON.parse(readFileSync(path.join(dir, `${name}.manifest.json`), "utf8"));
  } catch {
    return undefined; // none yet, or unreadable: either way a recompile
  }
}

/**
 * @param {Manifest | undefined} manifest @param {string} dir @param {string} key @param {(file: string) => string} stamp
 * @returns {manifest is Manifest}
 */
function isFresh(manifest, dir, key, stamp) {
  if (!manifest || manifest.key !== key || !existsSync(path.join(dir, manifest.output))) return false;
  return Object.entries(manifest.inputs).every(([file, recorded]) => stamp(file) === recorded);
}

/** @param {string} file @param {string | Uint8Array} data */
function writeAtomic(file, data) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}

/**
 * Writes the build's file as <name>-<content hash>.js with its map, then the manifest naming it, unless an input is
 * gone or changed while esbuild ran (then none: the next run compiles again); older builds in the directory are
 * removed (a process still running one has it loaded already).
 * @param {string} dir @param {string} name
 * @param {import("esbuild").BuildResult} result
 * @param {Omit<Manifest, "output" | "root">} record
 * @param {Record<string, string>} before the stamps of the last build's inputs, taken before this one
 * @param {import("./build-cache").BuildClock} build when this one started, how to read its inputs' mtimes
 */
function store(dir, name, result, record, before, build) {
  const js = result.outputFiles?.find((f) => f.path.endsWith(".js"));
  const map = result.outputFiles?.find((f) => f.path.endsWith(".js.map"));
  if (!js || !map) throw new Error(`esbuild produced no ${name}.js`);
  const output = `${name}-${sha1(js.contents).slice(0, 16)}.js`;
  const recorded = recordable(before, record.inputs, build);
  mkdirSync(dir, { recursive: true });
  if (!recorded) rmSync(path.join(dir, `${name}.manifest.json`), { force: true });
  writeAtomic(path.join(dir, `${output}.map`), map.contents);
  writeAtomic(path.join(dir, output), `${js.text}//# sourceMappingURL=${output}.map\n`);
  if (recorded) writeAtomic(path.join(dir, `${name}.manifest.json`), JSON.stringify({ ...record, root: ROOT, output }));
  removeOlder(dir, name, output);
  return path.join(dir, output);
}

/** @param {string} dir @param {string} name @param {string} output the build to keep */
function removeOlder(dir, name, output) {
  for (const old of readdirSync(dir)) {
    if (old.startsWith(`${name}-`) && !old.startsWith(output)) rmSync(path.join(dir, old), { force: true });
  }
}

/** Directories older than this without a manifest naming their project are another launcher's, or abandoned. */
const UNCLAIMED_MS = 60 * 60 * 1000;

/**
 * Removes the directories of projects that no longer exist (temporary copies, deleted checkouts): each would
 * otherwise keep its ~10 MB for as long as the cache lives. Run only after a compile, never on a warm run.
 * @param {string} entriesDir
 */
function removeOrphans(entriesDir) {
  for (const id of readdirSync(entriesDir)) {
    const dir = path.join(entriesDir, id);
    const root = readManifest(dir, "entry")?.root;
    const orphan = root ? !existsSync(root) : Date.now() - (statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > UNCLAIMED_MS;
    if (orphan) rmSync(dir, { recursive: true, force: true });
  }
}

/** Generated programs (see stdin below): not files. */
const PROGRAMS = ["precompiled-entry.js", "precompiled-vendor.js"];
/** The namespace of the vendor's generated loaders (see lazyPackages): not files either. */
const LAZY_NAMESPACE = "lazy";
/** Inputs esbuild read, without the generated programs. @param {import("esbuild").Metafile | undefined} metafile */
const inputsOf = (metafile) => Object.keys(metafile?.inputs ?? {}).filter((f) => !PROGRAMS.includes(f) && !f.startsWith(`${LAZY_NAMESPACE}:`));

/** @type {Partial<import("esbuild").BuildOptions>} */
const COMMON = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  // Bundling renames clashing top-level names; error handling and tests compare class names.
  keepNames: true,
  // "external" + our own comment: the comment must name the hashed file.
  sourcemap: "external",
  metafile: true,
  write: false,
  logLevel: "silent",
};

/**
 * @param {string} dir @param {string} entry @param {string} key
 * @returns {{ file: string, packages: Record<string, string>, compiled: boolean }} compiled: not reused from the cache
 */
function appLayer(dir, entry, key) {
  const names = declarationNames();
  const appKey = sha1(`${key}\0${names.join("/")}`);
  const manifest = readManifest(dir, "entry");
  // Taken once: what the check compares, and what a compile must still find (see store).
  const stampNow = contentStamps();
  const before = stampAll(Object.keys(manifest?.inputs ?? {}), stampNow);
  if (isFresh(manifest, dir, appKey, (file) => before[file] ?? stampNow(file))) return { file: path.join(dir, manifest.output), packages: manifest.packages, compiled: false };

  const esbuild = esbuildService();
  const since = buildStart();
  const result = esbuild.buildSync({
    ...COMMON,
    stdin: { contents: appProgram(entry, names), resolveDir: ROOT, sourcefile: PROGRAMS[0], loader: "js" },
    // Installed packages come from the vendor file (see vendorLayer).
    packages: "external",
    outfile: path.join(dir, "entry.js"),
    define: { DDN_COMPILED_PROJECT_ROOT: JSON.stringify(ROOT) },
    banner: { js: `var require = globalThis[Symbol.for(${JSON.stringify(REQUIRE_SYMBOL)})];` },
  });
  /** @type {Record<string, string>} */
  const packages = {};
  for (const [file, input] of Object.entries(result.metafile?.inputs ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    // "<runtime>": esbuild's own helpers, not a package.
    for (const i of input.imports) if (i.external && !isBuiltin(i.path) && !i.path.startsWith("<")) packages[i.path] ??= file;
  }
  // Where esbuild looked for the project's own imports too (see searchedNames): a file added there may be found first.
  const searched = Object.values(result.metafile?.inputs ?? {}).flatMap((input) => input.imports.flatMap(searchedNames));
  const read = inputsOf(result.metafile);
  // And the settings of the project's subfolders (a tsconfig.json added in stacks/, say): esbuild lists none.
  const listings = new Map();
  const inputs = stampAll([...new Set([...read, ...searched, ...folderSettingsOf(read, ROOT, listings)])], contentStamps(listings));
  const file = store(dir, "entry", result, { key: appKey, inputs, packages }, before, { since, mtimeOf: (f) => fileMtime(absolute(f)) });
  return { file, packages, compiled: true };
}

/**
 * Each bundled module sees its own installed path as __dirname/__filename, as under node (cdktf's archiveSync runs
 * its own file as a script: in a bundle, __filename would be the bundle). Inserted after a "use strict" prologue.
 * @type {import("esbuild").Plugin}
 */
const installedPaths = {
  name: "installed-paths",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
      const contents = readFileSync(args.path, "utf8");
      if (!/\b__(dirname|filename)\b/.test(contents)) return undefined;
      const declare = `var __filename = ${JSON.stringify(args.path)}, __dirname = ${JSON.stringify(path.dirname(args.path))};`;
      const prologue = /^(?:#![^\n]*\n)?(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:(["'])use strict\1;?)?/.exec(contents)?.[0] ?? "";
      return { contents: `${prologue}${declare}${contents.slice(prologue.length)}`, loader: "js" };
    });
  },
};

/**
 * Packages the vendor evaluates at their first call instead of when their importer loads (each must export one
 * function, its only use). cdktf requires archiver at load, yet zips only in a child process running cdktf's
 * installed file (archiveSync; see installedPaths), never in this one: ~200 modules, ~20 ms of a warm synth.
 */
const LAZY_PACKAGES = ["archiver"];

/** @type {import("esbuild").Plugin} */
const lazyPackages = {
  name: "lazy-packages",
  setup(build) {
    const filter = new RegExp(`^(${LAZY_PACKAGES.join("|")})$`);
    build.onResolve({ filter }, async (args) => {
      if (args.pluginData === LAZY_NAMESPACE) return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: LAZY_NAMESPACE });
      return real.errors.length > 0 ? { errors: real.errors } : { path: real.path, namespace: LAZY_NAMESPACE };
    });
    // The package stays in the bundle: esbuild evaluates a bundled CommonJS module at its first require.
    build.onLoad({ filter: /.*/, namespace: LAZY_NAMESPACE }, (args) => ({
      contents: `module.exports = function () { return require(${JSON.stringify(args.path)}).apply(this, arguments); };`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

/**
 * An import the vendor cannot resolve is an error of the project file that imports it, not of the generated program.
 * @param {unknown} error @param {Record<string, string>} packages
 */
function namingImporters(error, packages) {
  const errors = /** @type {{ errors?: import("esbuild").Message[] }} */ (error).errors;
  if (!errors) return error;
  for (const e of errors) {
    const line = e.location && e.location.file === PROGRAMS[1] ? e.location.lineText : undefined;
    const spec = line === undefined ? undefined : /"([^"]+)": \(\) =>/.exec(line)?.[1];
    if (spec === undefined) continue;
    e.text = `${packages[spec] ?? "the project"} imports "${spec}", which is not installed (npm ci?): ${e.text}`;
    e.location = null;
  }
  return error;
}

/**
 * The packages the vendor file holds: every one the app imports but NOT_BUNDLED.
 * @param {Record<string, string>} packages the app's imports of packages, each with a file importing it
 */
const vendored = (packages) => Object.keys(packages).sort().filter((p) => !NOT_BUNDLED.includes(packageName(p)));

/**
 * @param {string} dir @param {Record<string, string>} packages @param {string[]} bundled vendored(packages)
 * @param {string} key
 * @returns {Promise<{ file: string, compiled: boolean }>} compiled: neither reused nor adopted
 */
async function vendorLayer(dir, packages, bundled, key) {
  // Where each package is installed: npm link or a workspace retargets a package without touching its files.
  const installed = [...new Set(bundled.map(packageName))].map(installedAt);
  // And npm's record of the install (see build-cache.js).
  const vendorKey = sha1(JSON.stringify({ key, bundled, installed, npmRecords: npmRecordHash(ROOT) }));
  const manifest = readManifest(dir, "vendor");
  const before = stampAll(Object.keys(manifest?.inputs ?? {}), installedStamp);
  if (isFresh(manifest, dir, vendorKey, (file) => before[file] ?? installedStamp(file))) return { file: path.join(dir, manifest.output), compiled: false };
  const adopted = adoptVendor(dir, vendorKey);
  if (adopted) return { file: adopted, compiled: false };

  const esbuild = esbuildService();
  const since = buildStart();
  const result = await esbuild.build({
    ...COMMON,
    stdin: { contents: vendorProgram(bundled), resolveDir: ROOT, sourcefile: PROGRAMS[1], loader: "js" },
    external: NOT_BUNDLED,
    // The installed packages are CommonJS: each keeps its own scope in the bundle, its names unchanged. keepNames
    // would instead wrap every closure cdktf creates while resolving tokens in a defineProperty call.
    keepNames: false,
    outfile: path.join(dir, "vendor.js"),
    plugins: [lazyPackages, installedPaths],
  }).catch((/** @type {unknown} */ error) => {
    throw namingImporters(error, packages);
  });
  // Absolute: another copy of the project may adopt this vendor (see adoptVendor) and check the same files.
  const read = inputsOf(result.metafile).map(absolute);
  const record = { key: vendorKey, inputs: stampAll([...read, ...packageJsonsOf(read, ROOT)], installedStamp), packages };
  return { file: store(dir, "vendor", result, record, before, { since }), compiled: true };
}

/**
 * Another project directory's vendor, compiled from the same installed files (a copy of the project that links the
 * checkout's node_modules, as the tests make): linked into `dir` instead of compiled again. The key names the
 * packages, where each is installed and the settings; the stamps show the files unchanged since.
 * @param {string} dir @param {string} vendorKey @returns {string | undefined}
 */
function adoptVendor(dir, vendorKey) {
  const entriesDir = path.dirname(dir);
  for (const id of existsSync(entriesDir) ? readdirSync(entriesDir) : []) {
    const other = path.join(entriesDir, id);
    const manifest = readManifest(other, "vendor");
    if (other === dir || !isFresh(manifest, other, vendorKey, installedStamp)) continue;
    try {
      mkdirSync(dir, { recursive: true });
      for (const file of [manifest.output, `${manifest.output}.map`, `${manifest.output}.v8cache`]) {
        if (!existsSync(path.join(other, file))) continue;
        const temporary = path.join(dir, `${file}.${process.pid}.tmp`);
        linkSync(path.join(other, file), temporary);
        renameSync(temporary, path.join(dir, file));
      }
      writeAtomic(path.join(dir, "vendor.manifest.json"), JSON.stringify({ ...manifest, root: ROOT }));
      removeOlder(dir, "vendor", manifest.output);
      return path.join(dir, manifest.output);
    } catch {
      // removed meanwhile, or a file system without hard links: compile instead
    }
  }
  return undefined;
}

/**
 * @param {string} entry project-relative, e.g. main.ts
 * @returns {Promise<{ app: string, vendor: string, vendored: string[] }>} the two compiled files, fresh, and the
 *   packages the vendor holds
 */
async function precompile(entry) {
  const cacheRoot = bundleCacheDir(ROOT);
  const key = sha1(JSON.stringify({ esbuildVersion: installedEsbuildVersion(), settings: stampAll(SETTINGS_FILES, contentStamps()), project: projectSettingsHash(ROOT) }));
  // Per project root and entry: the files name the root (copies of the project must not share them), and entries
  // import different packages (one vendor each, so that they do not rebuild each other's).
  const dir = path.join(cacheRoot, "entries", sha1(`${ROOT}\0${entry}`).slice(0, 16));
  const app = appLayer(dir, entry, key);
  const bundled = vendored(app.packages);
  const vendor = await vendorLayer(dir, app.packages, bundled, key);
  if (app.compiled || vendor.compiled) removeOrphans(path.dirname(dir));
  return { app: app.file, vendor: vendor.file, vendored: bundled };
}

module.exports = { precompile, ROOT, REQUIRE_SYMBOL };
