// @ts-check
// Runs a CommonJS file with a V8 code cache next to it: compiling the 2.5 MB of cdktf, constructs and provider
// modules is a fifth of a warm synth, and V8 can skip it when handed the code it produced last time.
// The cache belongs to one file content: callers name files by their content hash, so a cache never meets other code.
"use strict";
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

/**
 * @param {string} file absolute path of a CommonJS file whose name changes with its content
 * @param {(id: string) => unknown} requireFn what the file's `require` calls
 * @returns {unknown} the file's module.exports
 */
function runWithCodeCache(file, requireFn) {
  const cacheFile = `${file}.v8cache`;
  /** @type {Buffer | undefined} */
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // first run of this content
  }
  // Same line as the file's first: stack traces keep the file's own line numbers.
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`;
  const script = new vm.Script(source, {
    filename: file,
    cachedData,
    // import() inside the file resolves as it would in a file node loaded (Node >= 20.16; undefined before).
    importModuleDynamically: /** @type {any} */ (vm.constants)?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    // Produced after the run: the cache then holds every function the run compiled, not only the top level.
    // Rejected = another node version or V8 flags; the next run writes one for this one.
    process.once("exit", () => {
      try {
        const temporary = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
      } catch {
        // a cache that cannot be written costs the next run its compile, nothing else
      }
    });
  }
  const module = { exports: {} };
  const wrapper = /** @type {Function} */ (script.runInThisContext());
  wrapper.call(module.exports, module.exports, requireFn, module, file, path.dirname(file));
  return module.exports;
}

module.exports = { runWithCodeCache };
