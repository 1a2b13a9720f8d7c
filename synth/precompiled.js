// @ts-check
// Runs a TypeScript entry (main.ts) precompiled under plain node. Why: a TypeScript loader costs its own start-up
// plus source-map work on every stack trace (cdktf captures one per token), and loading cdktf's hundreds of files
// costs more than synthesizing. So the entry runs as two CommonJS files (synth/precompile.js: the project's code,
// and the installed packages it imports), each with a V8 code cache (synth/code-cache.js).
// Never stale: each file is recompiled whenever anything it was compiled from changed.
// Usage: node synth/precompiled.js <entry.ts> [args...]
"use strict";
const { createRequire, isBuiltin } = require("node:module");
const path = require("node:path");
const { runWithCodeCache } = require("./code-cache");
const { precompile, ROOT, REQUIRE_SYMBOL } = require("./precompile");

/** @param {unknown} error */
function compileErrorLines(error) {
  const errors = /** @type {{ errors?: { text: string, location?: { file: string, line: number, column: number } }[] }} */ (error).errors;
  return errors?.length
    ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text))
    : [error instanceof Error ? error.message : String(error)];
}

/**
 * Under --enable-source-maps node maps stack traces only of files its own loader compiled: then no code cache.
 * @param {string} file @param {(id: string) => unknown} requireFn
 */
function run(file, requireFn) {
  return process.sourceMapsEnabled ? require(file) : runWithCodeCache(file, requireFn);
}

async function main() {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write("usage: node synth/precompiled.js <entry.ts> [args...]\n");
    process.exit(2);
  }
  let compiled;
  try {
    compiled = await precompile(entry);
  } catch (error) {
    // esbuild's errors name file, line and column; nothing stale runs in their place.
    process.stderr.write(`synth failed: ${entry} does not compile:\n  ${compileErrorLines(error).join("\n  ")}\n`);
    process.exit(1);
  }
  const { app, vendor } = compiled;
  // The app's require: its packages from the vendor file, loaded on the first package it holds; builtins and the
  // rest (esbuild) from node without loading it, so a synth that bundles starts esbuild before loading cdktf.
  const projectRequire = createRequire(path.join(ROOT, "package.json"));
  const inVendor = new Set(compiled.vendored);
  /** @type {Record<string, () => unknown> | undefined} */
  let vendored;
  const vendorRequire = createRequire(vendor);
  /** @param {string} id */
  const appRequire = (id) => {
    if (isBuiltin(id) || !inVendor.has(id)) return projectRequire(id);
    vendored ??= /** @type {Record<string, () => unknown>} */ (run(vendor, vendorRequire));
    return /** @type {() => unknown} */ (vendored[id])();
  };
  /** @type {Record<symbol, unknown>} */ (globalThis)[Symbol.for(REQUIRE_SYMBOL)] = Object.assign(appRequire, { resolve: projectRequire.resolve });
  // The entry sees the arguments it would see run from source.
  process.argv = [process.argv[0] ?? "node", path.join(ROOT, entry), ...args];
  run(app, appRequire);
}

void main();
