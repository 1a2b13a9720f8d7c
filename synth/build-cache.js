// @ts-check
// Where the build caches live, and how they tell that installed packages changed. One rule for both caches:
// synth/precompile.js (the launcher's compiled files) and constructs/bundle.ts (the handler zips).
// - npm's record of the install, by content: a new install can change what an import resolves to without touching
//   the files read last time (a nested copy of a package, say);
// - each installed file's size and mtime (stat, not read: there are thousands), so a patch made by hand inside
//   node_modules is seen too.
"use strict";
const { createHash } = require("node:crypto");
const { readFileSync, statSync } = require("node:fs");
const path = require("node:path");

/** Rewritten by every npm ci, install and link. */
const NPM_RECORDS = ["package-lock.json", "node_modules/.package-lock.json"];

/**
 * The cache directory of a project. DDN_BUNDLE_DIR moves it (tests point it at a temporary directory, so they never
 * write into the working tree). @param {string} root the project root @returns {string}
 */
function bundleCacheDir(root) {
  return process.env.DDN_BUNDLE_DIR || path.join(root, "node_modules", ".cache", "ddn-bundles");
}

/** SHA-1 of npm's record of the install (a missing file counts as empty). @param {string} root @returns {string} */
function npmRecordHash(root) {
  const hash = createHash("sha1");
  for (const file of NPM_RECORDS) {
    let data;
    try {
      data = readFileSync(path.join(root, file));
    } catch {
      data = Buffer.alloc(0);
    }
    hash.update(data).update("\0");
  }
  return hash.digest("hex");
}

/** Size and mtime of an installed file, or "missing". @param {string} file absolute @returns {string} */
function statStamp(file) {
  const st = statSync(file, { throwIfNoEntry: false });
  return st ? `${st.size}:${st.mtimeMs}` : "missing";
}

/** @type {string | undefined} */
let esbuildVersion;
/**
 * The installed esbuild's version, from its package.json (the string esbuild's `version` export holds, without
 * loading esbuild: a run that reuses everything never starts it). @returns {string}
 */
function installedEsbuildVersion() {
  return (esbuildVersion ??= JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8")).version);
}

module.exports = { bundleCacheDir, installedEsbuildVersion, npmRecordHash, statStamp, NPM_RECORDS };
