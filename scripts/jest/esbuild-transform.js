// Transpile-only jest transformer: TypeScript and ES modules (jose ships ESM only) to CommonJS with esbuild.
// Types are checked separately by `tsc --noEmit`.
const { transformSync } = require("esbuild");
const { createHash } = require("node:crypto");

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
    return createHash("sha1").update("esbuild-transform-v1").update(filename).update(source).digest("hex");
  },
};
