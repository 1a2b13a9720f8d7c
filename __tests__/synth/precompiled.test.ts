import { spawnSync } from "node:child_process";
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { environmentNames } from "../../config";
import { appArgs } from "../app-command";
import { applyChange, copyProject, run, stackJson } from "../design/project-copy";
import { synthEnv } from "../stacks/synth";

// synth/precompiled.js runs main.ts compiled to two CommonJS files (the project's code; the packages it imports) by
// plain node. What must hold: the command users run is the launcher, its output is the output of the source run byte
// for byte, and it never runs stale code (an edit to a source or an installed package, a new function folder, a
// source that does not compile, a code cache V8 refuses).
const root = path.resolve(__dirname, "../..");
const work = mkdtempSync(path.join(tmpdir(), "ddn-precompiled-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function files(dir: string, base = dir): Record<string, Buffer> {
  return Object.fromEntries(
    readdirSync(dir).flatMap((name) => {
      const abs = path.join(dir, name);
      return statSync(abs).isDirectory() ? Object.entries(files(abs, base)) : [[path.relative(base, abs), readFileSync(abs)]];
    }),
  );
}

test("npm run synth, synth:prod and cdktf.json's app run the same launcher", () => {
  const scripts = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const app = `node ${appArgs(root).join(" ")}`;
  expect(app).toBe("node synth/precompiled.js main.ts");
  expect(scripts.synth).toBe(app);
  expect(scripts["synth:prod"]).toBe(`DDN_ENV=prod ${app}`);
});

test("every environment: the precompiled run writes exactly what the run from source writes", () => {
  for (const env of environmentNames()) {
    const fromSourceOut = path.join(work, `source-${env}`);
    const fromSource = spawnSync(process.execPath, ["--require", "tsx/cjs", "main.ts"], {
      cwd: root,
      encoding: "utf8",
      // No state backend, as the shared synth below.
      env: { ...process.env, DDN_ENV: env, CDKTF_OUTDIR: fromSourceOut, TF_STATE_BUCKET: "", TF_STATE_REGION: "" },
    });
    expect(fromSource.status).toBe(0);
    // The precompiled run: this jest run's shared synth of the environment, made by `npm run synth`'s command.
    const a = files(fromSourceOut);
    const b = files(synthEnv(env).outdir);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const [file, bytes] of Object.entries(a)) expect({ file, same: bytes.equals(b[file]!) }).toEqual({ file, same: true });
  }
}, 60_000);

/**
 * Makes the directories above an installed path of a copy real (their entries stay links to the checkout's
 * node_modules, which is never written), so that the path itself can be replaced.
 */
function replaceableInstalled(copy: string, relative: string): string {
  let dir = copy;
  for (const part of path.dirname(relative).split("/")) {
    const next = path.join(dir, part);
    if (lstatSync(next).isSymbolicLink()) {
      const target = realpathSync(next);
      rmSync(next);
      mkdirSync(next);
      for (const entry of readdirSync(target)) symlinkSync(path.join(target, entry), path.join(next, entry));
    }
    dir = next;
  }
  return path.join(copy, relative);
}

/** An installed directory of a copy made a real, editable copy of itself. */
function editableInstalled(copy: string, relative: string): string {
  const at = replaceableInstalled(copy, relative);
  const target = realpathSync(at);
  rmSync(at);
  cpSync(target, at, { recursive: true });
  return at;
}

/** The directory of a project's compiled files in a bundle directory: the one whose manifest names the project. */
function compiledDir(bundles: string, project: string): string | undefined {
  const entries = path.join(bundles, "entries");
  return readdirSync(entries)
    .map((id) => path.join(entries, id))
    .find((dir) => (JSON.parse(readFileSync(path.join(dir, "entry.manifest.json"), "utf8")) as { root: string }).root === project);
}

/** The compiled file of a layer ("entry": the project's code; "vendor": the packages it imports), as run. */
function layerOf(bundles: string, project: string, name: "entry" | "vendor"): { file: string; mtimeMs: number; ino: number } {
  const dir = compiledDir(bundles, project)!;
  const manifest = JSON.parse(readFileSync(path.join(dir, `${name}.manifest.json`), "utf8")) as { output: string };
  const file = path.join(dir, manifest.output);
  const { mtimeMs, ino } = statSync(file);
  return { file, mtimeMs, ino };
}

describe("never stale", () => {
  let copy: string;
  // A bundle directory of its own: this copy's node_modules is made of links (replaceableInstalled), which the
  // handler bundles' cache key holds (see installedLinks in synth/unlisted-inputs.js), so the checkout's would be rebuilt.
  const bundles = path.join(work, "never-stale-bundles");
  const synth = (out: string) => run(copy, appArgs(copy), { DDN_ENV: "dev", CDKTF_OUTDIR: path.join(copy, ".out", out), DDN_BUNDLE_DIR: bundles });
  const layer = (name: "entry" | "vendor") => layerOf(bundles, copy, name);
  let editable: string;
  let editableConstructs: string;
  beforeAll(() => {
    copy = copyProject();
    // Before the first compile: the files the vendor is compiled from are then this copy's, to be edited in place.
    editable = path.join(editableInstalled(copy, "node_modules/@cdktf/provider-aws/lib/kms-alias"), "index.js");
    editableConstructs = editableInstalled(copy, "node_modules/constructs");
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  test("compiled once, then reused (with V8's code cache) while nothing changed", () => {
    expect(synth("first").status).toBe(0);
    const first = { entry: layer("entry"), vendor: layer("vendor") };
    expect(synth("second").status).toBe(0);
    expect({ entry: layer("entry"), vendor: layer("vendor") }).toEqual(first);
    for (const { file } of Object.values(first)) expect(existsSync(`${file}.v8cache`)).toBe(true);
    // The compiled file names this copy as its root: its outputs are the copy's, not the checkout's.
    expect(readFileSync(first.entry.file, "utf8")).toContain(JSON.stringify(copy));
    // cdktf, constructs and the provider modules are in the vendor file; only esbuild stays an installed package.
    const vendor = readFileSync(first.vendor.file, "utf8");
    expect(vendor).toContain("node_modules/cdktf/lib/terraform-stack.js");
    expect(vendor).toContain("node_modules/@cdktf/provider-aws/lib/lambda-function/index.js");
    // archiver is bundled, yet cdktf's import of it is a loader that evaluates it at a first call (lazyPackages).
    expect(vendor).toMatch(/"lazy:[^"]*\/node_modules\/archiver\/index\.js"\(/);
    expect(vendor).toMatch(/"[^"]*\/node_modules\/[^"]*archiver\/lib\/core\.js"\(/);
  }, 60_000);

  test("a code cache V8 refuses (corrupt, or from another node) is replaced, the run unaffected", () => {
    const { file } = layer("vendor");
    writeFileSync(`${file}.v8cache`, "not a code cache");
    const r = synth("corrupt-cache");
    expect(r.status).toBe(0);
    expect(readFileSync(`${file}.v8cache`).length).toBeGreaterThan(100_000);
  }, 60_000);

  test("an edited installed package is compiled in before the next run (hand edits in node_modules too)", () => {
    const vendorBefore = layer("vendor");
    const entryBefore = layer("entry");
    writeFileSync(editable, `${readFileSync(editable, "utf8")}\nprocess.stderr.write("edited installed package\\n");\n`);
    const r = synth("edited-package");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("edited installed package");
    expect(layer("vendor").file).not.toBe(vendorBefore.file);
    expect(layer("entry")).toEqual(entryBefore);
  }, 60_000);

  test("an installed package.json edited by hand (its main: esbuild reads it, lists it nowhere) is compiled in", () => {
    const vendorBefore = layer("vendor");
    writeFileSync(path.join(editableConstructs, "lib", "edited-main.js"), 'process.stderr.write("edited package.json\\n");\nmodule.exports = require("./index.js");\n');
    const manifest = path.join(editableConstructs, "package.json");
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, "utf8")), main: "lib/edited-main.js" }, null, 2));
    const r = synth("edited-package-json");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("edited package.json");
    expect(layer("vendor").file).not.toBe(vendorBefore.file);
  }, 60_000);

  test("a package installed elsewhere (npm link, a workspace: its files untouched) is compiled in", () => {
    const vendorBefore = layer("vendor");
    const linked = path.join(copy, ".linked", "constructs");
    cpSync(realpathSync(path.join(copy, "node_modules", "constructs")), linked, { recursive: true });
    const index = path.join(linked, "lib", "index.js");
    writeFileSync(index, `${readFileSync(index, "utf8")}\nprocess.stderr.write("linked package\\n");\n`);
    // This copy's own constructs (see beforeAll) replaced by a link to the copy elsewhere.
    const link = path.join(copy, "node_modules", "constructs");
    rmSync(link, { recursive: true });
    symlinkSync(linked, link, "dir");
    const r = synth("linked-package");
    expect(r.stderr).toContain("linked package");
    expect(r.status).toBe(0);
    expect(layer("vendor").file).not.toBe(vendorBefore.file);
  }, 60_000);

  test("an edited source is compiled in before the next run; the packages' file is kept", () => {
    const vendorBefore = layer("vendor");
    const file = path.join(copy, "functions", "status", "function.ts");
    const text = readFileSync(file, "utf8");
    const description = /description: "([^"]+)"/.exec(text)![1]!;
    writeFileSync(file, text.replace(description, "Edited after the first compile"));
    expect(synth("edited").status).toBe(0);
    const compute = stackJson(path.join(copy, ".out", "edited"), "ddn-dev-compute");
    expect(Object.values(compute.resource.aws_lambda_function).map((f: any) => f.description)).toContain("Edited after the first compile");
    expect(layer("vendor")).toEqual(vendorBefore);
  }, 60_000);

  /** A JSON file of the copy, changed in place. */
  const edit = (file: string, change: (json: any) => void) => {
    const json = JSON.parse(readFileSync(path.join(copy, file), "utf8"));
    change(json);
    writeFileSync(path.join(copy, file), JSON.stringify(json, null, 2));
  };

  test("tsconfig.json and package.json's resolution fields (read by esbuild, listed nowhere) recompile; its scripts do not", () => {
    const before = { entry: layer("entry"), vendor: layer("vendor") };
    edit("package.json", (json) => (json.scripts.extra = "echo extra"));
    expect(synth("scripts-edited").status).toBe(0);
    expect({ entry: layer("entry"), vendor: layer("vendor") }).toEqual(before);
    // Compiled again: rewritten (its name is its content's hash, which these settings need not change).
    edit("tsconfig.json", (json) => (json.compilerOptions.noPropertyAccessFromIndexSignature = false));
    expect(synth("tsconfig-edited").status).toBe(0);
    const afterTsconfig = { entry: layer("entry"), vendor: layer("vendor") };
    expect(afterTsconfig.entry).not.toEqual(before.entry);
    expect(afterTsconfig.vendor).not.toEqual(before.vendor);
    edit("package.json", (json) => (json.sideEffects = true));
    expect(synth("package-edited").status).toBe(0);
    expect(layer("entry")).not.toEqual(afterTsconfig.entry);
  }, 60_000);

  test("a tsconfig.json in a source folder (the nearest governs its files) and what it extends recompile the project's file", () => {
    const before = { entry: layer("entry"), vendor: layer("vendor") };
    const base = path.join(copy, "tsconfig.base.json");
    const nested = path.join(copy, "stacks", "tsconfig.json");
    writeFileSync(base, readFileSync(path.join(copy, "tsconfig.json")));
    writeFileSync(nested, '{\n  // the project\'s settings, shared\n  "extends": "../tsconfig.base",\n}\n');
    try {
      expect(synth("nested-tsconfig").status).toBe(0);
      const added = layer("entry");
      expect(added).not.toEqual(before.entry);
      // A setting the copied file does not hold yet (the test above already set noPropertyAccessFromIndexSignature).
      edit("tsconfig.base.json", (json) => (json.compilerOptions.exactOptionalPropertyTypes = true));
      expect(synth("extended-tsconfig").status).toBe(0);
      expect(layer("entry")).not.toEqual(added);
      expect(layer("vendor")).toEqual(before.vendor);
    } finally {
      rmSync(nested);
      rmSync(base);
    }
  }, 60_000);

  test("a file added where an import looked (config.ts before config/index.ts: every file read unchanged) is compiled in", () => {
    const shadow = path.join(copy, "config.ts");
    writeFileSync(shadow, 'process.stderr.write("config.ts found first\\n");\nexport * from "./config/index";\n');
    try {
      const r = synth("shadowed-import");
      expect(r.status).toBe(0);
      expect(r.stderr).toContain("config.ts found first");
    } finally {
      rmSync(shadow);
    }
  }, 60_000);

  test("a source saved while it is compiled runs as compiled this once, and is compiled again at the next run", () => {
    // Preloaded into the launcher: files are saved again right after esbuild compiled the app (it read every input).
    const preload = path.join(work, "save-during-compile.js");
    writeFileSync(
      preload,
      `const Module = require("node:module");
const { writeFileSync } = require("node:fs");
const load = Module._load;
let pending = JSON.parse(process.env.DDN_TEST_SAVE);
Module._load = function (request, ...rest) {
  const loaded = load.call(this, request, ...rest);
  if (request !== "esbuild") return loaded;
  return { ...loaded, buildSync(options) {
    const result = loaded.buildSync(options);
    for (const { file, text } of pending) writeFileSync(file, text);
    pending = [];
    return result;
  } };
};
`,
    );
    const functions = (out: string) => Object.values(stackJson(path.join(copy, ".out", out), "ddn-dev-compute").resource.aws_lambda_function);
    const race = (out: string, saves: { file: string; text: string }[]) => {
      const raced = run(copy, ["--require", preload, ...appArgs(copy)], { DDN_ENV: "dev", CDKTF_OUTDIR: path.join(copy, ".out", out), DDN_BUNDLE_DIR: bundles, DDN_TEST_SAVE: JSON.stringify(saves) });
      expect(raced.status).toBe(0);
      return raced.stderr;
    };
    // A file the last compile read: its hash from before the compile tells.
    const file = path.join(copy, "functions", "status", "function.ts");
    const text = readFileSync(file, "utf8");
    const description = /description: "([^"]+)"/.exec(text)![1]!;
    const saved = (words: string) => text.replace(description, words);
    writeFileSync(file, saved("Saved before the compile"));
    expect(race("raced", [{ file, text: saved("Saved while compiling") }])).toContain("functions/status/function.ts changed while being compiled");
    expect(functions("raced")).toContainEqual(expect.objectContaining({ description: "Saved before the compile" }));
    expect(synth("after-race").status).toBe(0);
    expect(functions("after-race")).toContainEqual(expect.objectContaining({ description: "Saved while compiling" }));

    // A file no compile read before (a new import): its mtime tells, as nothing recorded says what it held.
    const imported = path.join(copy, "functions", "status", "timeout.ts");
    const timeout = (seconds: number) => `export const timeoutSeconds = ${seconds};\n`;
    writeFileSync(imported, timeout(7));
    writeFileSync(file, `import { timeoutSeconds } from "./timeout";\n${readFileSync(file, "utf8").replace(/timeoutSeconds: \d+/, "timeoutSeconds")}`);
    expect(race("raced-new", [{ file: imported, text: timeout(8) }])).toContain("functions/status/timeout.ts changed while being compiled");
    expect(functions("raced-new")).toContainEqual(expect.objectContaining({ description: "Saved while compiling", timeout: 7 }));
    expect(synth("after-new").status).toBe(0);
    expect(functions("after-new")).toContainEqual(expect.objectContaining({ description: "Saved while compiling", timeout: 8 }));
  }, 60_000);

  test("a new function folder is compiled in (the registry finds it without an edit)", () => {
    applyChange(copy, "images-function");
    const r = synth("added");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/bundle thumbnail/);
    expect(Object.keys(stackJson(path.join(copy, ".out", "added"), "ddn-dev-compute").resource.aws_lambda_function).some((k) => k.startsWith("thumbnail_"))).toBe(true);
  }, 60_000);

  test("an import of a package that is not installed stops the run, naming the importing file", () => {
    const file = path.join(copy, "stacks", "app.ts");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, `${text}\nimport "no-such-package-for-this-test";\n`);
    try {
      const r = synth("not-installed");
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^synth failed: main\.ts does not compile:\n {2}stacks\/app\.ts imports "no-such-package-for-this-test", which is not installed/);
      expect(existsSync(path.join(copy, ".out", "not-installed"))).toBe(false);
    } finally {
      writeFileSync(file, text);
    }
  }, 60_000);

  test("a source that does not compile stops the run, naming file and line; nothing is written", () => {
    const file = path.join(copy, "config", "environments.ts");
    writeFileSync(file, `${readFileSync(file, "utf8")}\nexport const broken = ;\n`);
    const r = synth("broken");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^synth failed: main\.ts does not compile:\n {2}config\/environments\.ts:\d+:\d+: /);
    expect(existsSync(path.join(copy, ".out", "broken"))).toBe(false);
  }, 60_000);

  test("usage error without an entry", () => {
    const r = run(copy, ["synth/precompiled.js"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage: node synth/precompiled.js <entry.ts>");
  });
});

describe("copies of the project (the tests make many, each linking the checkout's node_modules)", () => {
  test("a copy links the vendor another copy compiled from the same installed files; a deleted copy's files go at the next compile; a new install compiles anew", () => {
    // A bundle directory of its own: what is in it after the last compile is exactly what must be left.
    const bundles = path.join(work, "shared-bundles");
    const [a, b] = [copyProject(), copyProject()];
    const synthIn = (copy: string, out: string) => run(copy, appArgs(copy), { DDN_ENV: "dev", CDKTF_OUTDIR: path.join(work, "copies", out), DDN_BUNDLE_DIR: bundles });
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
