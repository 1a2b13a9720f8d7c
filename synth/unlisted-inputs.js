// @ts-check
// What esbuild reads to build and does not list in its metafile, so the build caches (build-cache.js) would not see
// it change: the project's settings (what its tsconfig extends, those of its subfolders), the package.json files that
// govern installed files, the links in node_modules, and the names where it looked for the project's own imports.
"use strict";
const { createHash } = require("node:crypto");
const { readdirSync, readFileSync, realpathSync, statSync } = require("node:fs");
const path = require("node:path");

/**
 * Listings of the links in a project's node_modules, by its path: the directories listed with their mtimes, and the
 * links found. Adding, removing or replacing a link rewrites the directory holding it (a link cannot be edited in
 * place), so ~35 directory stats stand in for ~35 directory listings (~1.5 ms, and a synth asks six times).
 * Process-wide: the launcher and the app it runs each hold a copy of this module.
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
      let target = "dangling";
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

/** @param {string} file absolute @returns {string | undefined} its text, if it is there */
function readText(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined; // none
  }
}

/** @param {string} file absolute */
const isFile = (file) => statSync(file, { throwIfNoEntry: false })?.isFile() === true;

/** A JSON string, kept whole while comments and trailing commas around it go. */
const JSON_STRING = /("(?:[^"\\]|\\.)*")/.source;
const COMMENTS = new RegExp(`${JSON_STRING}|//[^\\n]*|/\\*[\\s\\S]*?\\*/`, "g");
const TRAILING_COMMAS = new RegExp(`${JSON_STRING}|,(?=\\s*[}\\]])`, "g");

/**
 * A tsconfig's fields, read as TypeScript reads them: comments and trailing commas allowed.
 * @param {string} text @returns {Record<string, unknown> | undefined} undefined if it is not JSON even so
 */
function parseTsconfig(text) {
  const keepStrings = (/** @type {string} */ _match, /** @type {string | undefined} */ string) => string ?? "";
  try {
    return JSON.parse(text.replace(COMMENTS, keepStrings).replace(TRAILING_COMMAS, keepStrings));
  } catch {
    return undefined;
  }
}

/**
 * Where a tsconfig's "extends" leads, as TypeScript and esbuild look: a path (".json" may be left off), or a
 * package's file in a node_modules of the folder or one above (its tsconfig.json when the package alone is named).
 * @param {string} spec @param {string} dir the extending file's folder @returns {string | undefined}
 */
function resolveExtends(spec, dir) {
  const candidates = (/** @type {string} */ base) => [base, `${base}.json`, path.join(base, "tsconfig.json")];
  if (spec.startsWith(".") || path.isAbsolute(spec)) return candidates(path.resolve(dir, spec)).slice(0, 2).find(isFile);
  for (let at = dir; ; at = path.dirname(at)) {
    const found = candidates(path.join(at, "node_modules", spec)).find(isFile);
    if (found || path.dirname(at) === at) return found;
  }
}

/**
 * A tsconfig and the files it extends, nearest first, each read once: esbuild merges them in and names none of them.
 * One that cannot be found or read is left out (esbuild then warns, or fails the build); none if the tsconfig is not
 * there.
 * @param {string} tsconfig absolute @returns {Array<{ file: string, text: string }>} absolute
 */
function tsconfigChain(tsconfig) {
  /** @type {Array<{ file: string, text: string }>} */
  const chain = [];
  const queue = [tsconfig];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const text = readText(file);
    if (text === undefined) continue;
    chain.push({ file, text });
    const spec = text.includes('"extends"') ? parseTsconfig(text)?.extends : undefined;
    for (const each of Array.isArray(spec) ? spec : [spec]) {
      const next = typeof each === "string" ? resolveExtends(each, path.dirname(file)) : undefined;
      if (next && !queue.includes(next) && !chain.some((known) => known.file === next)) queue.push(next);
    }
  }
  return chain;
}

/**
 * SHA-1 of what the project's own settings make esbuild do beyond the inputs its metafile lists (it reads them for
 * every file, and names them nowhere): tsconfig.json and what it extends (its target and useDefineForClassFields
 * change emitted class fields; paths, resolution) and package.json's resolution fields. Those of the project's
 * subfolders are inputs instead (see folderSettingsOf).
 * @param {string} root @returns {string}
 */
function projectSettingsHash(root) {
  let packageJson = readText(path.join(root, "package.json"));
  try {
    const fields = JSON.parse(packageJson ?? "null");
    if (fields) packageJson = JSON.stringify(RESOLUTION_FIELDS.map((field) => fields[field] ?? null));
  } catch {
    // not JSON: its text stands in
  }
  const [tsconfig, ...extended] = tsconfigChain(path.join(root, "tsconfig.json"));
  const settings = { tsconfig: tsconfig?.text ?? null, extended: extended.map(({ file, text }) => [path.relative(root, file), text]), packageJson: packageJson ?? null };
  return createHash("sha1").update(JSON.stringify(settings)).digest("hex");
}

/** The settings esbuild looks for in each folder above a file; the nearest governs it. */
const FOLDER_SETTINGS = ["tsconfig.json", "jsconfig.json", "package.json"];

/**
 * The suffix of an input that stands for names, not a file: "<folder>/<stem>.*" is every name in the folder that is
 * the stem, or the stem and an extension (see searchedNames).
 */
const NAMES_SUFFIX = ".*";
const isNames = (/** @type {string} */ file) => file.endsWith(NAMES_SUFFIX);

/**
 * The names in a folder, listed once per moment.
 * @param {string} folder absolute @param {Map<string, readonly string[]>} listings the folders listed at this moment
 * @returns {readonly string[]} none if it is gone
 */
function listedIn(folder, listings) {
  let listed = listings.get(folder);
  if (!listed) {
    try {
      listed = readdirSync(folder);
    } catch {
      listed = []; // the folder is gone: so are the files read from it, which tells
    }
    listings.set(folder, listed);
  }
  return listed;
}

/**
 * SHA-1 of the names a names input ("<folder>/<stem>.*", see searchedNames) stands for: those in the folder that are
 * the stem, or the stem and an extension.
 * @param {string} file absolute
 * @param {Map<string, readonly string[]>} [listings] folders listed at this moment (a folder serves many names inputs:
 *   ~90 of them in ~12 folders per synth)
 * @returns {string}
 */
function namesHash(file, listings = new Map()) {
  const stem = path.basename(file).slice(0, -NAMES_SUFFIX.length);
  const names = listedIn(path.dirname(file), listings).filter((name) => name === stem || name.startsWith(`${stem}.`)).sort();
  return createHash("sha1").update(`names\0${names.join("\0")}`).digest("hex");
}

/**
 * Where esbuild looked to resolve one import of the project, as names inputs: a file added there later would be
 * found first while every file it read stays as it was. An import of a project file written without its extension
 * ("./http", or "@lib/http" through tsconfig's paths or package.json's imports) tried names in the folder of what it
 * found (a new http.tsx comes before http.ts, so "<folder>/http.*"); one of a folder ("./routes" ->
 * routes/index.ts) tried the folder above first (a new routes.ts comes first), then the folder's package.json and
 * index files. Imports written in full, and of installed packages, are not searched this way (installed files: see
 * npmRecordHash in build-cache.js).
 * @param {{ path: string, original?: string, external?: boolean }} imported an import of esbuild's metafile
 * @returns {string[]} project-relative, as the metafile names files
 */
function searchedNames(imported) {
  const written = imported.original;
  if (imported.external || !written || `/${imported.path}`.includes("/node_modules/")) return [];
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

/**
 * The settings that govern these project files from the project's subfolders, as inputs: for every folder between
 * a file and the root, names inputs where esbuild looks for them (a tsconfig.json added in functions/ changes what
 * it emits for the files below), and those there now, with what their tsconfig extends, by content. The root's are
 * in projectSettingsHash.
 * @param {readonly string[]} files project-relative, as the metafile names them (installed files and names inputs
 *   are skipped: see packageJsonsOf)
 * @param {string} root
 * @param {Map<string, readonly string[]>} [listings] folders listed at this moment: the names inputs returned are
 *   hashed from the same listings (see namesHash)
 * @returns {string[]} project-relative
 */
function folderSettingsOf(files, root, listings = new Map()) {
  const folders = new Set();
  for (const file of files) {
    if (isNames(file) || `/${file}`.includes("/node_modules/")) continue;
    for (let dir = path.posix.dirname(file); dir !== "." && dir !== "/" && !folders.has(dir); dir = path.posix.dirname(dir)) folders.add(dir);
  }
  const found = new Set();
  for (const folder of [...folders].sort()) {
    for (const name of FOLDER_SETTINGS) {
      found.add(path.posix.join(folder, `${name}${NAMES_SUFFIX}`));
      const file = path.join(root, folder, name);
      if (!listedIn(path.dirname(file), listings).includes(name) || !isFile(file)) continue;
      found.add(path.posix.join(folder, name));
      if (name === "package.json") continue;
      for (const { file: extended } of tsconfigChain(file).slice(1)) found.add(path.relative(root, extended).split(path.sep).join("/"));
    }
  }
  return [...found];
}

module.exports = { folderSettingsOf, installedLinks, isNames, namesHash, packageJsonsOf, projectSettingsHash, searchedNames };
