import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { copyProject, synth } from "../design/project-copy";
import { editableInstalled, layerOf } from "./launcher-copy";

// The launcher compiles once and then reuses, and never runs stale code whatever changed among the installed
// packages: a file edited by hand, a package.json's main, a package linked elsewhere. (The project's own files:
// precompiled-sources.test.ts.) One copy of the project, whose edited packages are its own, in this order.
const work = mkdtempSync(path.join(tmpdir(), "ddn-precompiled-installed-"));
// A bundle directory of its own: this copy's node_modules is made of links (replaceableInstalled), which the handler
// bundles' cache key holds (see installedLinks in synth/unlisted-inputs.js), so the checkout's would be rebuilt.
const bundles = path.join(work, "bundles");
let copy: string;
const synthDev = (out: string) => synth(copy, "dev", path.join(copy, ".out", out), { bundleDir: bundles });
const layer = (name: "entry" | "vendor") => layerOf(bundles, copy, name);
let editable: string;
let editableConstructs: string;
beforeAll(() => {
  copy = copyProject();
  // Before the first compile: the files the vendor is compiled from are then this copy's, to be edited in place.
  editable = path.join(editableInstalled(copy, "node_modules/@cdktf/provider-aws/lib/kms-alias"), "index.js");
  editableConstructs = editableInstalled(copy, "node_modules/constructs");
});
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

test("compiled once, then reused (with V8's code cache) while nothing changed", () => {
  expect(synthDev("first").status).toBe(0);
  const first = { entry: layer("entry"), vendor: layer("vendor") };
  expect(synthDev("second").status).toBe(0);
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
  const r = synthDev("corrupt-cache");
  expect(r.status).toBe(0);
  expect(readFileSync(`${file}.v8cache`).length).toBeGreaterThan(100_000);
}, 60_000);

test("an edited installed package is compiled in before the next run (hand edits in node_modules too)", () => {
  const vendorBefore = layer("vendor");
  const entryBefore = layer("entry");
  writeFileSync(editable, `${readFileSync(editable, "utf8")}\nprocess.stderr.write("edited installed package\\n");\n`);
  const r = synthDev("edited-package");
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
  const r = synthDev("edited-package-json");
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
  const r = synthDev("linked-package");
  expect(r.stderr).toContain("linked package");
  expect(r.status).toBe(0);
  expect(layer("vendor").file).not.toBe(vendorBefore.file);
}, 60_000);
