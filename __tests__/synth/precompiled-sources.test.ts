import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { applyChange, copyProject, ownBundleDir, run, stackJson, synth, type SynthOptions } from "../design/project-copy";
import { editJson, layerOf } from "./launcher-copy";

// The launcher never runs stale code, whatever changed in the project's own files: a source, the settings esbuild
// reads and lists nowhere (tsconfig.json, what it extends, package.json's resolution fields), a file an import now
// finds first, a save during the compile, a new function folder; and what does not compile stops it. (Installed
// packages: precompiled-installed.test.ts.) One copy of the project, edited test by test in this order.
const work = mkdtempSync(path.join(tmpdir(), "ddn-precompiled-sources-"));
// A bundle directory of its own: settings edited here are in the handler bundles' cache key, and the shared one
// holds one bundle per handler, so each edit would evict the checkout's.
let bundles: string;
let copy: string;
const synthDev = (out: string, options: SynthOptions = {}) => synth(copy, "dev", path.join(copy, ".out", out), { bundleDir: bundles, ...options });
const layer = (name: "entry" | "vendor") => layerOf(bundles, copy, name);
// The settings tests run the bootstrap's entry, which bundles no handler: under main.ts each settings edit would
// rebuild all five handlers too (the settings are in their cache key), ~1.3 s of CPU a synth that tests nothing here.
const BOOTSTRAP = "bootstrap/main.ts";
const synthBootstrap = (out: string) => synth(copy, "dev", path.join(copy, ".out", out), { bundleDir: bundles, entry: BOOTSTRAP });
const bootstrapLayer = (name: "entry" | "vendor") => layerOf(bundles, copy, name, BOOTSTRAP);
/** Runs `edit`, then puts the copy's settings files back as they were (main.ts's compiled files and bundles stay current). */
function restoringSettings(edit: () => void): void {
  const saved = ["package.json", "tsconfig.json"].map((f) => ({ file: path.join(copy, f), text: readFileSync(path.join(copy, f), "utf8") }));
  try {
    edit();
  } finally {
    for (const { file, text } of saved) writeFileSync(file, text);
  }
}
beforeAll(() => {
  copy = copyProject();
  bundles = ownBundleDir(path.join(work, "bundles"), copy);
  const first = synthDev("first");
  if (first.status !== 0) throw new Error(`the first synth of the copy failed:\n${first.stderr}`);
});
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

test("an edited source is compiled in before the next run; the packages' file is kept", () => {
  const vendorBefore = layer("vendor");
  const file = path.join(copy, "functions", "status", "function.ts");
  const text = readFileSync(file, "utf8");
  const description = /description: "([^"]+)"/.exec(text)![1]!;
  writeFileSync(file, text.replace(description, "Edited after the first compile"));
  expect(synthDev("edited").status).toBe(0);
  const compute = stackJson(path.join(copy, ".out", "edited"), "ddn-dev-compute");
  expect(Object.values(compute.resource.aws_lambda_function).map((f: any) => f.description)).toContain("Edited after the first compile");
  expect(layer("vendor")).toEqual(vendorBefore);
}, 60_000);

test("tsconfig.json and package.json's resolution fields (read by esbuild, listed nowhere) recompile; its scripts do not", () => {
  expect(synthBootstrap("bootstrap-first").status).toBe(0);
  const before = { entry: bootstrapLayer("entry"), vendor: bootstrapLayer("vendor") };
  restoringSettings(() => {
    editJson(copy, "package.json", (json) => (json.scripts.extra = "echo extra"));
    expect(synthBootstrap("scripts-edited").status).toBe(0);
    expect({ entry: bootstrapLayer("entry"), vendor: bootstrapLayer("vendor") }).toEqual(before);
    // Compiled again: rewritten (its name is its content's hash, which these settings need not change).
    editJson(copy, "tsconfig.json", (json) => (json.compilerOptions.noPropertyAccessFromIndexSignature = false));
    expect(synthBootstrap("tsconfig-edited").status).toBe(0);
    const afterTsconfig = { entry: bootstrapLayer("entry"), vendor: bootstrapLayer("vendor") };
    expect(afterTsconfig.entry).not.toEqual(before.entry);
    expect(afterTsconfig.vendor).not.toEqual(before.vendor);
    editJson(copy, "package.json", (json) => (json.sideEffects = true));
    expect(synthBootstrap("package-edited").status).toBe(0);
    expect(bootstrapLayer("entry")).not.toEqual(afterTsconfig.entry);
  });
}, 60_000);

test("a tsconfig.json in a source folder (the nearest governs its files) and what it extends recompile the project's file", () => {
  expect(synthBootstrap("settings-restored").status).toBe(0);
  const before = { entry: bootstrapLayer("entry"), vendor: bootstrapLayer("vendor") };
  const base = path.join(copy, "tsconfig.base.json");
  const nested = path.join(copy, "stacks", "tsconfig.json");
  writeFileSync(base, readFileSync(path.join(copy, "tsconfig.json")));
  writeFileSync(nested, '{\n  // the project\'s settings, shared\n  "extends": "../tsconfig.base",\n}\n');
  try {
    expect(synthBootstrap("nested-tsconfig").status).toBe(0);
    const added = bootstrapLayer("entry");
    expect(added).not.toEqual(before.entry);
    // A setting the copied file does not hold yet.
    editJson(copy, "tsconfig.base.json", (json) => (json.compilerOptions.exactOptionalPropertyTypes = true));
    expect(synthBootstrap("extended-tsconfig").status).toBe(0);
    expect(bootstrapLayer("entry")).not.toEqual(added);
    expect(bootstrapLayer("vendor")).toEqual(before.vendor);
  } finally {
    rmSync(nested);
    rmSync(base);
  }
}, 60_000);

test("a file added where an import looked (config.ts before config/index.ts: every file read unchanged) is compiled in", () => {
  const shadow = path.join(copy, "config.ts");
  writeFileSync(shadow, 'process.stderr.write("config.ts found first\\n");\nexport * from "./config/index";\n');
  try {
    const r = synthDev("shadowed-import");
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
    const raced = synthDev(out, { env: { DDN_TEST_SAVE: JSON.stringify(saves) }, nodeArgs: ["--require", preload] });
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
  expect(synthDev("after-race").status).toBe(0);
  expect(functions("after-race")).toContainEqual(expect.objectContaining({ description: "Saved while compiling" }));

  // A file no compile read before (a new import): its mtime tells, as nothing recorded says what it held.
  const imported = path.join(copy, "functions", "status", "timeout.ts");
  const timeout = (seconds: number) => `export const timeoutSeconds = ${seconds};\n`;
  writeFileSync(imported, timeout(7));
  writeFileSync(file, `import { timeoutSeconds } from "./timeout";\n${readFileSync(file, "utf8").replace(/timeoutSeconds: \d+/, "timeoutSeconds")}`);
  expect(race("raced-new", [{ file: imported, text: timeout(8) }])).toContain("functions/status/timeout.ts changed while being compiled");
  expect(functions("raced-new")).toContainEqual(expect.objectContaining({ description: "Saved while compiling", timeout: 7 }));
  expect(synthDev("after-new").status).toBe(0);
  expect(functions("after-new")).toContainEqual(expect.objectContaining({ description: "Saved while compiling", timeout: 8 }));
}, 60_000);

test("a new function folder is compiled in (the registry finds it without an edit)", () => {
  applyChange(copy, "images-function");
  const r = synthDev("added");
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/bundle thumbnail/);
  expect(Object.keys(stackJson(path.join(copy, ".out", "added"), "ddn-dev-compute").resource.aws_lambda_function).some((k) => k.startsWith("thumbnail_"))).toBe(true);
}, 60_000);

test("an import of a package that is not installed stops the run, naming the importing file", () => {
  const file = path.join(copy, "stacks", "app.ts");
  const text = readFileSync(file, "utf8");
  writeFileSync(file, `${text}\nimport "no-such-package-for-this-test";\n`);
  try {
    const r = synthDev("not-installed");
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
  const r = synthDev("broken");
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^synth failed: main\.ts does not compile:\n {2}config\/environments\.ts:\d+:\d+: /);
  expect(existsSync(path.join(copy, ".out", "broken"))).toBe(false);
}, 60_000);

test("usage error without an entry", () => {
  const r = run(copy, ["synth/precompiled.js"]);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("usage: node synth/precompiled.js <entry.ts>");
});
