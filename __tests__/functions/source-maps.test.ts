import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleFunction } from "../../constructs/bundle";
import { extractZip } from "../../local/unzip";
import { PROJECT_ROOT } from "../../pipeline/project-root";

// Lambda runs every function with NODE_OPTIONS=--enable-source-maps (constructs/bundled-function.ts): a stack trace
// in its log must name the TypeScript file and line, from the map shipped next to the bundle.
test("a fault in a deployed bundle is reported at its TypeScript line", () => {
  const work = mkdtempSync(path.join(tmpdir(), "ddn-sourcemap-"));
  try {
    const b = bundleFunction({ entry: "functions/process/index.ts", projectRoot: PROJECT_ROOT, outDir: path.join(work, "bundle"), cache: false });
    const code = path.join(work, "code");
    extractZip(b.zipPath, code);
    expect(readFileSync(path.join(code, "index.js"), "utf8")).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);

    const source = readFileSync(path.join(PROJECT_ROOT, "functions/process/index.ts"), "utf8").split("\n");
    const line = source.findIndex((l) => l.includes("throw new Error(`${name} must be set`)")) + 1;
    expect(line).toBeGreaterThan(0);
    // OUT_BUCKET unset: the handler throws from requireEnv.
    const env = { PATH: process.env.PATH, NODE_OPTIONS: "--enable-source-maps", LOG_LEVEL: "SILENT" };
    const run = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(path.join(code, "index.js"))}).handler({ Records: [] }).catch((e) => console.log(e.stack))`], { env, encoding: "utf8" });
    const frames = run.stdout.split("\n").filter((l) => l.trim().startsWith("at "));
    expect(frames[0]).toMatch(new RegExp(`functions/process/index\\.ts:${line}:\\d+`));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
