import { functionNames } from "../../pipeline/registry";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { freshSynthEnv, type Synthesized } from "./synth";

function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else out[path.relative(root, abs)] = createHash("sha256").update(readFileSync(abs)).digest("hex");
    }
  };
  walk(root);
  return out;
}

describe("synthesis is reproducible", () => {
  const saved = process.env.DDN_BUNDLE_CACHE;
  let first: Synthesized;
  let second: Synthesized;
  beforeAll(() => {
    // Rebuild the bundles both times: reusing a cached zip would prove nothing about esbuild + zip determinism.
    process.env.DDN_BUNDLE_CACHE = "off";
    first = freshSynthEnv("dev");
    second = freshSynthEnv("dev");
  });
  afterAll(() => {
    process.env.DDN_BUNDLE_CACHE = saved;
    first.cleanup();
    second.cleanup();
  });

  test("two synths give byte-identical files, asset zips included", () => {
    const a = tree(first.outdir);
    const b = tree(second.outdir);
    expect(Object.keys(a).filter((f) => f.endsWith("function.zip"))).toHaveLength(functionNames().length);
    expect(b).toEqual(a);
  });

  test("no absolute path or machine detail leaks into the output", () => {
    for (const [file] of Object.entries(tree(first.outdir))) {
      if (!file.endsWith(".json")) continue;
      const text = readFileSync(path.join(first.outdir, file), "utf8");
      expect(text).not.toContain(process.cwd());
      expect(text).not.toContain(first.outdir);
      expect(text).not.toMatch(/\/(home|Users|tmp|root)\//);
    }
  });
});
