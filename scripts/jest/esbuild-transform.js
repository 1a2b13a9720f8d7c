// Transpile-only jest transformer: TypeScript and ES modules (jose ships ESM only) to CommonJS with esbuild.
// Types are checked separately by `tsc --noEmit`.
const { transformSync, version } = require("esbuild");
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");

/**
 * Jest keeps transformed files across runs by this key: what esbuild turns a file into depends on its version and
 * on this file's settings, so a new esbuild or a changed setting must not meet a transform cached before it.
 */
const TRANSFORMER = createHash("sha1").update(version).update(readFileSync(__filename)).digest("hex");

module.exports = {
  process(source, filename) {
    const loader = /\.tsx?$/.test(filename) ? "ts" : "js";
    const out = transformSync(source, {
      loader,
      format: "cjs",
      target: "node20",
      sourcemap: "inline",
      sourcefile: filename,
      // Keep class/function names: tests and error handling compare names.
      keepNames: true,
    });
    return { code: out.code };
  },
  getCacheKey(source, filename) {
    return createHash("sha1").update(TRANSFORMER).update(filename).update(source).digest("hex");
  },
};
