import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { environmentNames } from "../../config";
import { appArgs } from "../app-command";
import { copyProject, ownBundleDir, runAsync, stackJson, synth } from "../design/project-copy";
import { synthEnv } from "../stacks/synth";
import { compiledDir, filesUnder, layerOf } from "./launcher-copy";

// synth/precompiled.js runs main.ts compiled to two CommonJS files (the project's code; the packages it imports) by
// plain node. What must hold: the command users run is the launcher, its output is the output of the source run byte
// for byte, copies of the project share what they can, and it never runs stale code (precompiled-installed.test.ts,
// precompiled-sources.test.ts: three files, so that jest runs them side by side).
const root = path.resolve(__dirname, "../..");
const work = mkdtempSync(path.join(tmpdir(), "ddn-precompiled-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test("npm run synth, synth:prod and cdktf.json's app run the same launcher", () => {
  const scripts = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const app = `node ${appArgs(root).join(" ")}`;
  expect(app).toBe("node synth/precompiled.js main.ts");
  expect(scripts.synth).toBe(app);
  expect(scripts["synth:prod"]).toBe(`DDN_ENV=prod ${app}`);
});

test("every environment: the precompiled run writes exactly what the run from source writes", async () => {
  const fromSourceOut = (env: string) => path.join(work, `source-${env}`);
  // The source runs, side by side (each mostly one thread: the tsx loader, then cdktf).
  const fromSource = environmentNames().map((env) =>
    // No state backend, as the shared synth below.
    runAsync(root, ["--require", "tsx/cjs", "main.ts"], { DDN_ENV: env, CDKTF_OUTDIR: fromSourceOut(env), TF_STATE_BUCKET: "", TF_STATE_REGION: "" }),
  );
  // The precompiled runs: this jest run's shared synths, made by `npm run synth`'s command.
  const precompiled = environmentNames().map((env) => synthEnv(env).outdir);
  for (const [i, env] of environmentNames().entries()) {
    expect({ env, status: (await fromSource[i]!).status }).toEqual({ env, status: 0 });
    const a = filesUnder(fromSourceOut(env));
    const b = filesUnder(precompiled[i]!);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const [file, bytes] of Object.entries(a)) expect({ file, same: bytes.equals(b[file]!) }).toEqual({ file, same: true });
  }
}, 60_000);

describe("copies of the project (the tests make many, each linking the checkout's node_modules)", () => {
  test("a copy links the vendor another copy compiled from the same installed files; a deleted copy's files go at the next compile; a new install compiles anew", () => {
    const [a, b] = [copyProject(), copyProject()];
    // A bundle directory of its own: what is in it after the last compile is exactly what must be left.
    const bundles = ownBundleDir(path.join(work, "shared-bundles"), a);
    const synthIn = (copy: string, out: string) => synth(copy, "dev", path.join(work, "copies", out), { bundleDir: bundles });
    try {
      expect(synthIn(a, "a").status).toBe(0);
      expect(synthIn(b, "b").status).toBe(0);
      expect(compiledDir(bundles, a)).not.toBe(compiledDir(bundles, b));
      // One file on disk, in both directories: b did not compile its own.
      const shared = layerOf(bundles, b, "vendor");
      expect(shared.ino).toBe(layerOf(bundles, a, "vendor").ino);

      rmSync(a, { recursive: true, force: true });
      const file = path.join(b, "functions", "status", "function.ts");
      writeFileSync(file, readFileSync(file, "utf8").replace(/description: "[^"]+"/, 'description: "Edited in b"'));
      // A new install as npm records it: the same files, but an import may now resolve elsewhere.
      const lockfile = path.join(b, "package-lock.json");
      writeFileSync(lockfile, `${readFileSync(lockfile, "utf8").trimEnd()}\n\n`);
      expect(synthIn(b, "b-edited").status).toBe(0);
      expect(readdirSync(path.join(bundles, "entries"))).toEqual([path.basename(compiledDir(bundles, b)!)]);
      expect(layerOf(bundles, b, "vendor").ino).not.toBe(shared.ino);
      const compute = stackJson(path.join(work, "copies", "b-edited"), "ddn-dev-compute");
      expect(Object.values(compute.resource.aws_lambda_function).map((f: any) => f.description)).toContain("Edited in b");
    } finally {
      for (const copy of [a, b]) rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);
});
