// @ts-check
// Runs a TypeScript entry (main.ts) as one precompiled CommonJS file under plain node. Why: a TypeScript loader
// costs its own start-up plus source-map work on every stack trace, and cdktf captures one per token.
// Never stale: the file is recompiled whenever any source it was compiled from, tsconfig.json, this launcher, esbuild,
// or the set of function declarations changed. Usage: node synth/precompiled.js <entry.ts> [args...]
"use strict";
const { createHash } = require("node:crypto");
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const layout = require("../pipeline/layout.json");

const ROOT = path.resolve(__dirname, "..");
/** Files outside the import graph that change what esbuild emits. */
const SETTINGS_FILES = ["tsconfig.json", "synth/precompiled.js"];

/** @param {string | Buffer} data */
const sha1 = (data) => createHash("sha1").update(data).digest("hex");

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
 * @param {string} entry
 * @param {readonly string[]} names
 */
function program(entry, names) {
  const table = names.map((n) => `  ${JSON.stringify(n)}: require(${JSON.stringify(`./${layout.functionsDir}/${n}/${layout.declarationFile}`)}),`);
  return [
    `require("./pipeline/registry").useCompiledDeclarations(${JSON.stringify(ROOT)}, {`,
    ...table,
    "});",
    `require(${JSON.stringify(`./${entry}`)});`,
  ].join("\n");
}

/** @param {readonly string[]} files project-relative */
function hashFiles(files) {
  /** @type {Record<string, string>} */
  const hashes = {};
  for (const file of files) {
    const abs = path.join(ROOT, file);
    hashes[file] = existsSync(abs) ? sha1(readFileSync(abs)) : "missing";
  }
  return hashes;
}

/** @param {string} file @param {string | Uint8Array} data */
function writeAtomic(file, data) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, file);
}

/**
 * @typedef {{ key: string, declarations: string[], inputs: Record<string, string> }} Manifest
 * @param {string} manifestPath @param {string} key @param {readonly string[]} names
 * @returns {boolean}
 */
function isFresh(manifestPath, key, names) {
  if (!existsSync(manifestPath)) return false;
  try {
    /** @type {Manifest} */
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (manifest.key !== key || manifest.declarations.join("/") !== names.join("/")) return false;
    const now = hashFiles(Object.keys(manifest.inputs));
    return Object.entries(manifest.inputs).every(([file, hash]) => now[file] === hash);
  } catch {
    return false; // an unreadable manifest just means a recompile
  }
}

/**
 * @param {string} entry project-relative, e.g. main.ts
 * @returns {string} the compiled file
 */
function compiledEntry(entry) {
  const cacheRoot = process.env.DDN_BUNDLE_DIR || path.join(ROOT, "node_modules", ".cache", "ddn-bundles");
  // Per project root and entry: the compiled file names the root (copies of the project must not share it).
  const dir = path.join(cacheRoot, "entries", sha1(`${ROOT}\0${entry}`).slice(0, 16));
  const outfile = path.join(dir, "entry.js");
  const manifestPath = path.join(dir, "manifest.json");
  const esbuild = require("esbuild");
  const names = declarationNames();
  const key = sha1(JSON.stringify({ esbuild: esbuild.version, settings: hashFiles(SETTINGS_FILES) }));
  if (existsSync(outfile) && isFresh(manifestPath, key, names)) return outfile;

  const result = esbuild.buildSync({
    stdin: { contents: program(entry, names), resolveDir: ROOT, sourcefile: "precompiled-entry.js", loader: "js" },
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // Installed packages stay packages: node loads them from the project's node_modules (see banner).
    packages: "external",
    // Bundling renames clashing top-level names; error handling and tests compare class names.
    keepNames: true,
    sourcemap: "linked",
    metafile: true,
    write: false,
    outfile,
    logLevel: "silent",
    define: { DDN_COMPILED_PROJECT_ROOT: JSON.stringify(ROOT) },
    // The file lives outside the project: resolve its packages from the project root, as the source would.
    banner: { js: `var require = require("node:module").createRequire(${JSON.stringify(path.join(ROOT, "package.json"))});` },
  });
  mkdirSync(dir, { recursive: true });
  for (const file of result.outputFiles ?? []) writeAtomic(file.path, file.contents);
  const sources = Object.keys(result.metafile?.inputs ?? {}).filter((f) => !f.startsWith("<stdin>"));
  /** @type {Manifest} */
  const manifest = { key, declarations: names, inputs: hashFiles(sources) };
  writeAtomic(manifestPath, JSON.stringify(manifest));
  return outfile;
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: node synth/precompiled.js <entry.ts> [args...]\n");
  process.exit(2);
}
let compiled;
try {
  compiled = compiledEntry(entry);
} catch (error) {
  // esbuild's errors name file, line and column; nothing stale runs in their place.
  const errors = /** @type {{ errors?: { text: string, location?: { file: string, line: number, column: number } }[] }} */ (error).errors;
  const lines = errors?.length
    ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text))
    : [error instanceof Error ? error.message : String(error)];
  process.stderr.write(`synth failed: ${entry} does not compile:\n  ${lines.join("\n  ")}\n`);
  process.exit(1);
}
// The entry sees the arguments it would see run from source.
process.argv = [process.argv[0] ?? "node", path.join(ROOT, entry), ...args];
require(compiled);
