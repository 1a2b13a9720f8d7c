// @ts-check
// Where the build caches live, how they tell that their inputs changed, and when a build may be recorded. One rule
// for both caches: synth/precompile.js (the launcher's compiled files) and constructs/bundle.ts (the handler zips).
// - project files, by content hash, with the names where esbuild looked for them (a file added that an import would
//   now find first), and the project's settings esbuild reads without listing them (tsconfig.json, package.json's
//   resolution fields);
// - npm's record of the install, by content: a new install can change what an import resolves to without touching
//   the files read last time (a nested copy of a package, say); and the links in node_modules, which npm records
//   only when it made them (a link made by hand, retargeted, leaves every file read last time as it was);
// - each installed file's size and mtime (stat, not read: there are thousands), and those of the package.json files
//   that govern them, so a patch made by hand inside node_modules is seen too.
"use strict";
const { createHash } = require("node:crypto");
const { readdirSync, readFileSync, realpathSync, statSync } = require("node:fs");
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

/**
 * Hashes taken in this process, by project root, with the stamps of the files hashed. Process-wide: the launcher
 * and the app it runs (esbuild-bundled, so a copy of this module of its own) would otherwise each hash ~0.8 MB.
 * @type {Map<string, { stamp: string, hash: string }>}
 */
const recordHashes = /** @type {any} */ (globalThis)[Symbol.for("ddn.npmRecordHashes")] ??= new Map();

/**
 * Listings of the links in a project's node_modules, by its path: the directories listed with their mtimes, and the
 * links found. Adding, removing or replacing a link rewrites the directory holding it (a link cannot be edited in
 * place), so ~35 directory stats stand in for ~35 directory listings (~1.5 ms, and a synth asks six times).
 * Process-wide, as recordHashes.
 * @type {Map<string, { dirs: string[], mtimes: string, links: string[] }>}
 */
const linkListings = /** @type {any} */ (globalThis)[Symbol.for("ddn.linkListings")] ??= new Map();

/** @param {readonly string[]} dirs @returns {(number | undefined)[]} */
const mtimesOf = (dirs) => dirs.map((dir) => statSync(dir, { throwIfNoEntry: false })?.mtimeMs);

/**
 * Directories listed no sooner than this after their last change are trusted to stay as listed while their mtimes
 * do. Pitfall: a directory changed twice within one tick of its clock (up to 2 s on some file systems) keeps its
 * mtime; listed in between, the second change would go unseen.
 */
const LISTING_SETTLED_MS = 2000;

/** The links among the packages and scoped packages of a node_modules. @param {string} modules @returns {string[]} */
function listLinks(modules) {
  const known = linkListings.get(modules);
  if (known && JSON.stringify(mtimesOf(known.dirs)) === known.mtimes) return known.links;
  const dirs = [modules];
  const links = [];
  for (let i = 0; i < dirs.length; i++) {
    const dir = /** @type {string} */ (dirs[i]);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // no node_modules: nothing installed, nothing linked
    }
    for (const entry of entries) {
      if (entry.isSymbolicLink()) links.push(path.join(dir, entry.name));
      else if (i === 0 && entry.isDirectory() && entry.name.startsWith("@")) dirs.push(path.join(dir, entry.name));
    }
  }
  links.sort();
  const mtimes = mtimesOf(dirs);
  const settled = mtimes.every((mtime) => mtime === undefined || mtime <= Date.now() - LISTING_SETTLED_MS);
  if (settled) linkListings.set(modules, { dirs, mtimes: JSON.stringify(mtimes), links });
  else linkListings.delete(modules);
  return links;
}

/**
 * Each link of a project's node_modules with where it leads now, as "name>real path" lines. npm records the links
 * it makes (npm link, workspaces) but not one made by hand: made or retargeted, it changes what an import resolves
 * to while every file read last time stays as it was. Resolved every time (a link may lead through another,
 * outside). The project's own node_modules only: links in a package's nested node_modules are not looked for.
 * @param {string} root @returns {string}
 */
function installedLinks(root) {
  const modules = path.join(root, "node_modules");
  return listLinks(modules)
    .map((link) => {
      let target = MISSING;
      try {
        target = realpathSync(link);
      } catch {
        // a dangling link: what resolves through it is gone
      }
      return `${path.relative(modules, link)}>${target}`;
    })
    .join("\n");
}

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
 * The package.json files that govern these installed files: each one from a file's folder up to its package's root
 * (the nearest gives "type" and "sideEffects", the root's "exports" and "main"). esbuild reads them and lists them
 * nowhere: a hand edit of one (a patched exports map, say) changes what it builds while every file it read stays
 * as it was. Those there now; one added later in a package's subfolder is not looked for, nor those of a package
 * linked from outside node_modules.
 * @param {readonly string[]} files files esbuild read, absolute or relative to root (given back in the same form)
 * @param {string} root
 * @param {Map<string, readonly string[]>} [byFolder] what governs each folder, kept across calls of one moment (the
 *   handlers share most folders: ~4,000 files in ~400 folders)
 * @returns {string[]}
 */
function packageJsonsOf(files, root, byFolder = new Map()) {
  /** @param {string} dir @returns {readonly string[]} */
  const governing = (dir) => {
    let found = byFolder.get(dir);
    if (found) return found;
    const parent = path.dirname(dir);
    const parentName = path.basename(parent);
    const isPackageRoot = parentName === "node_modules" || (parentName.startsWith("@") && path.basename(path.dirname(parent)) === "node_modules");
    const candidate = path.join(dir, "package.json");
    const here = statSync(path.resolve(root, candidate), { throwIfNoEntry: false })?.isFile() ? [candidate] : [];
    found = isPackageRoot || parent === dir ? here : [...here, ...governing(parent)];
    byFolder.set(dir, found);
    return found;
  };
  const found = new Set();
  for (const file of files) {
    if (!`/${file}`.includes("/node_modules/")) continue;
    for (const packageJson of governing(file.slice(0, Math.max(file.lastIndexOf("/"), 0)) || ".")) found.add(packageJson);
  }
  return [...found].sort();
}

/** The fields of a package.json that change what esbuild resolves or emits (scripts and the like do not). */
const RESOLUTION_FIELDS = ["type", "sideEffects", "imports", "exports", "main", "module", "browser"];

/**
 * SHA-1 of what the project's own settings make esbuild do beyond the inputs its metafile lists (it reads them for
 * every file, and names them nowhere): tsconfig.json (its target and useDefineForClassFields change emitted class
 * fields; paths, resolution) and package.json's resolution fields. A tsconfig "extends" is not followed.
 * @param {string} root @returns {string}
 */
function projectSettingsHash(root) {
  let packageJson = contentHash(path.join(root, "package.json"));
  try {
    const fields = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
    packageJson = JSON.stringify(RESOLUTION_FIELDS.map((field) => fields[field] ?? null));
  } catch {
    // none, or not JSON: its content hash (or MISSING) stands in
  }
  return createHash("sha1").update(JSON.stringify({ tsconfig: contentHash(path.join(root, "tsconfig.json")), packageJson })).digest("hex");
}

/**
 * The suffix of an input that stands for names, not a file: "<folder>/<stem>.*" is every name in the folder that is
 * the stem, or the stem and an extension (see searchedNames).
 */
const NAMES_SUFFIX = ".*";
const isNames = (/** @type {string} */ file) => file.endsWith(NAMES_SUFFIX);

/**
 * SHA-1 of a project file's content (a few dozen: read them), or of the names a names input stands for; MISSING
 * for a file that is not there. @param {string} file absolute @returns {string}
 */
function contentHash(file) {
  if (isNames(file)) {
    const stem = path.basename(file).slice(0, -NAMES_SUFFIX.length);
    let names = /** @type {string[]} */ ([]);
    try {
      names = readdirSync(path.dirname(file)).filter((name) => name === stem || name.startsWith(`${stem}.`)).sort();
    } catch {
      // the folder is gone: so are the files read from it, which tells
    }
    return createHash("sha1").update(`names\0${names.join("\0")}`).digest("hex");
  }
  try {
    return createHash("sha1").update(readFileSync(file)).digest("hex");
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    if (code === "ENOENT" || code === "ENOTDIR") return MISSING;
    throw error;
  }
}

/**
 * Where esbuild looked to resolve one import of the project, as names inputs: a file added there later would be
 * found first while every file it read stays as it was. A relative import written without its extension ("./http")
 * tried names in the folder of what it found (a new http.tsx comes before http.ts, so "<folder>/http.*"); one of a
 * folder ("./routes" -> routes/index.ts) tried the folder above first (a new routes.ts comes first), then the
 * folder's package.json and index files. Imports written in full, and of packages, are not searched this way
 * (installed files: see npmRecordHash).
 * @param {{ path: string, original?: string, external?: boolean }} imported an import of esbuild's metafile
 * @returns {string[]} project-relative, as the metafile names files
 */
function searchedNames(imported) {
  const written = imported.original;
  if (imported.external || !written?.startsWith(".") || `/${imported.path}`.includes("/node_modules/")) return [];
  const found = path.posix.basename(imported.path);
  if (found === path.posix.basename(written)) return [];
  const folder = path.posix.dirname(imported.path);
  const names = (/** @type {string} */ dir, /** @type {string} */ stem) => path.posix.join(dir, `${stem}${NAMES_SUFFIX}`);
  const stemOf = (/** @type {string} */ name) => name.slice(0, name.lastIndexOf(".") > 0 ? name.lastIndexOf(".") : undefined);
  if (/^index\.[^.]+$/.test(found) && path.posix.basename(written) !== "index") {
    return [names(path.posix.dirname(folder), path.posix.basename(folder)), names(folder, "package.json"), names(folder, "index")];
  }
  return [names(folder, stemOf(found))];
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

/** @param {string} file absolute @returns {number | undefined} its mtime (a names input's: its folder's), if it is there */
const fileMtime = (file) => statSync(isNames(file) ? path.dirname(file) : file, { throwIfNoEntry: false })?.mtimeMs;
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

module.exports = { buildStart, bundleCacheDir, contentHash, fileMtime, installedEsbuildVersion, MISSING, npmRecordHash, packageJsonsOf, projectSettingsHash, recordable, searchedNames, statStamp, NPM_RECORDS };
