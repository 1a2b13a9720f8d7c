// @ts-check
// Where the build caches live, how they tell that their inputs changed, and when a build may be recorded. One rule
// for both caches: synth/precompile.js (the launcher's compiled files) and constructs/bundle.ts (the handler zips).
// - project files, by content hash, with the names where esbuild looked for them, and the project's settings;
// - npm's record of the install, by content: a new install can change what an import resolves to without touching
//   the files read last time (a nested copy of a package, say), and the links in node_modules;
// - each installed file's size and mtime (stat, not read: there are thousands), and those of the package.json files
//   that govern them, so a patch made by hand inside node_modules is seen too.
// What esbuild reads without listing it in its metafile (settings, package.json files, links, where it looked) is
// found by unlisted-inputs.js.
"use strict";
const { createHash } = require("node:crypto");
const { readFileSync, statSync } = require("node:fs");
const path = require("node:path");
const { installedLinks, isNames, namesHash } = require("./unlisted-inputs");

/** Rewritten by every npm ci, install and link. */
const NPM_RECORDS = ["package-lock.json", "node_modules/.package-lock.json"];

/**
 * The cache directory of a project. DDN_BUNDLE_DIR moves it (tests point it at a temporary directory, so they never
 * write into the working tree). @param {string} root the project root @returns {string}
 */
function bundleCacheDir(root) {
  return process.env.DDN_BUNDLE_DIR || path.join(root, "node_modules", ".cache", "ddn-bundles");
}

/**
 * Hashes taken in this process, by project root, with the stamps of the files hashed. Process-wide: the launcher
 * and the app it runs (esbuild-bundled, so a copy of this module of its own) would otherwise each hash ~0.8 MB.
 * @type {Map<string, { stamp: string, hash: string }>}
 */
const recordHashes = /** @type {any} */ (globalThis)[Symbol.for("ddn.npmRecordHashes")] ??= new Map();

/**
 * SHA-1 of npm's record of the install (a missing file counts as empty) and of the links in node_modules, hashed
 * again only when one of its files was rewritten or a link changed since. @param {string} root @returns {string}
 */
function npmRecordHash(root) {
  const links = installedLinks(root);
  const stamp = `${NPM_RECORDS.map((file) => statStamp(path.join(root, file))).join("|")}|${links}`;
  const known = recordHashes.get(root);
  if (known?.stamp === stamp) return known.hash;
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
  const digest = hash.update(links).digest("hex");
  recordHashes.set(root, { stamp, hash: digest });
  return digest;
}

/** The stamp of a file that is not there. */
const MISSING = "missing";

/**
 * SHA-1 of a project file's content (a few dozen: read them), or of the names a names input stands for; MISSING
 * for a file that is not there.
 * @param {string} file absolute @param {Map<string, readonly string[]>} [listings] see namesHash
 * @returns {string}
 */
function contentHash(file, listings) {
  if (isNames(file)) return namesHash(file, listings);
  try {
    return createHash("sha1").update(readFileSync(file)).digest("hex");
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    if (code === "ENOENT" || code === "ENOTDIR") return MISSING;
    throw error;
  }
}

/** Size and mtime of an installed file, or MISSING. @param {string} file absolute @returns {string} */
function statStamp(file) {
  const st = statSync(file, { throwIfNoEntry: false });
  return st ? `${st.size}:${st.mtimeMs}` : MISSING;
}

/**
 * Linux stamps a file from a clock up to one tick (4-10 ms) behind Date.now(): an edit made just after a build
 * started may carry an mtime just before it.
 */
const CLOCK_SLACK_MS = 50;
/** The moment a build starts, in the clock files are stamped by. @returns {number} */
const buildStart = () => Date.now() - CLOCK_SLACK_MS;
/**
 * When a build started (buildStart()), and how to read an input's mtime: mtimeOf for stamps that do not hold one
 * (content hashes); without it, from the stamp itself (statStamp: no second stat of thousands of installed files).
 * @typedef {{ since: number, mtimeOf?: (file: string) => number | undefined }} BuildClock
 */

/** @param {string} file absolute @returns {number | undefined} its mtime, if it is there (names inputs: see changedDuringBuild) */
const fileMtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
/** The mtime a statStamp holds. @param {string} stamp */
const stampMtime = (stamp) => (stamp === MISSING ? undefined : Number(stamp.slice(stamp.indexOf(":") + 1)));

/**
 * The inputs that may have changed while the build ran. Pitfall: stamps taken after a build describe the files as they
 * are then, not as the build read them: a file saved while the build ran would be recorded as built, and the stale
 * output reused until its next edit. A file stamped before the build too is compared by stamp; one the last build did
 * not read (a new import, or every file of a first build) by its mtime: modified after the build started, esbuild may
 * have read it before the edit (git's "racily clean" rule). A date in the future (a clock skewed elsewhere) is not an
 * edit made during the build, and would otherwise keep its builds from ever being recorded.
 * @param {Readonly<Record<string, string>>} before the stamps the cache check took @param {Readonly<Record<string, string>>} after
 * @param {BuildClock} build
 * @returns {string[]}
 */
function changedDuringBuild(before, after, build) {
  const until = Date.now() + CLOCK_SLACK_MS;
  const modified = (/** @type {string} */ file) => {
    // Names inputs first seen are taken as they are after the build: a folder's mtime moves with every save in it
    // (editors write a new file and rename it), so judging them by it would refuse most builds made after an edit.
    if (isNames(file)) return false;
    const mtime = build.mtimeOf ? build.mtimeOf(file) : stampMtime(/** @type {string} */ (after[file]));
    return mtime !== undefined && mtime >= build.since && mtime <= until;
  };
  return Object.keys(after).filter((file) => (Object.hasOwn(before, file) ? before[file] !== after[file] : modified(file)));
}

/**
 * Whether a build may be recorded: none of its inputs is gone, none changed while it ran (see changedDuringBuild;
 * those are named on stderr). Unrecorded, it is used this once and built again at the next run.
 * @param {Readonly<Record<string, string>>} before @param {Readonly<Record<string, string>>} after
 * @param {BuildClock} build
 * @param {Set<string>} [named] the files already named by the builds of one call: a file that five handlers read is named once
 * @returns {boolean}
 */
function recordable(before, after, build, named = new Set()) {
  const changed = changedDuringBuild(before, after, build);
  const unnamed = changed.filter((file) => !named.has(file));
  for (const file of unnamed) named.add(file);
  if (unnamed.length > 0) process.stderr.write(`${unnamed.join(", ")} changed while being compiled: used this once, compiled again at the next run\n`);
  return changed.length === 0 && !Object.values(after).includes(MISSING);
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

module.exports = { buildStart, bundleCacheDir, contentHash, fileMtime, installedEsbuildVersion, MISSING, npmRecordHash, recordable, statStamp, NPM_RECORDS };
