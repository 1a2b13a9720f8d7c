import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BUNDLE_MANIFEST, bundleFunction, bundleFunctions, type Bundle } from "../../constructs/bundle";
import type { ZipEntry } from "../../constructs/zip";
import { unzip } from "../../local/unzip";

// The bundle cache: a project file esbuild read that changed (content), an installed file it read that changed (size
// or mtime: stat, not read), or a different install (the lockfile or npm's record of the installed tree) rebuilds;
// anything else reuses the zip.
describe("bundle cache", () => {
  let root: string;
  /** Saved now: a build that started a moment ago does not trust this file (see changedDuringBuild). */
  const saveNow = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  /** As if saved a second earlier (these tests build right after writing). */
  const backdate = (file: string) => {
    const { atimeMs, mtimeMs } = statSync(path.join(root, file));
    utimesSync(path.join(root, file), atimeMs / 1000, (mtimeMs - 1000) / 1000);
  };
  const write = (file: string, text: string) => {
    saveNow(file, text);
    backdate(file);
  };
  const writeAll = (files: Record<string, string>) => Object.entries(files).forEach(([file, text]) => write(file, text));
  type Options = Parameters<typeof bundleFunction>[0];
  /** Options of a cached bundle of `entry` in the fixture, built into .cache/<dir>. */
  const cachedIn = (dir: string, entry: string): Options => ({ entry, projectRoot: root, outDir: path.join(root, ".cache", dir), cache: true });
  const build = () => bundleFunction(cachedIn("bundle", "src/index.ts"));

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "ddn-bundle-cache-"));
    write("package-lock.json", '{"lockfileVersion":3,"packages":{"node_modules/dep":{"version":"1.0.0"}}}');
    write("node_modules/.package-lock.json", '{"packages":{"node_modules/dep":{"version":"1.0.0"}}}');
    write("node_modules/dep/package.json", '{"name":"dep","main":"index.js"}');
    write("node_modules/dep/index.js", "exports.greet = () => 'hello';");
    write("src/words.ts", "export const name = 'world';");
    write("src/index.ts", "import { greet } from 'dep'; import { name } from './words'; export const handler = async () => `${greet()} ${name}`;");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("reuses the zip when nothing changed, rebuilds when a project file did", () => {
    const first = build();
    expect(first.cached).toBe(false);
    expect(build()).toMatchObject({ cached: true, sourceCodeHash: first.sourceCodeHash });
    write("src/words.ts", "export const name = 'there';");
    const changed = build();
    expect(changed.cached).toBe(false);
    expect(changed.sourceCodeHash).not.toBe(first.sourceCodeHash);
  });

  test("a different install rebuilds: the lockfile or npm's record of the installed tree", () => {
    build();
    write("node_modules/.package-lock.json", '{"packages":{"node_modules/dep":{"version":"1.0.1"}}}');
    expect(build().cached).toBe(false);
    expect(build().cached).toBe(true);
    write("package-lock.json", '{"lockfileVersion":3,"packages":{"node_modules/dep":{"version":"1.0.1"}}}');
    expect(build().cached).toBe(false);
  });

  test("a hand edit inside node_modules that npm did not record rebuilds too", () => {
    const before = build();
    expect(build().cached).toBe(true);
    write("node_modules/dep/index.js", "exports.greet = () => 'patched by hand';");
    const patched = build();
    expect(patched.cached).toBe(false);
    expect(patched.sourceCodeHash).not.toBe(before.sourceCodeHash);
    expect(build().cached).toBe(true);
  });

  /**
   * The bundle of `options` reused while nothing changes, built again once `change` is made (into other code, unless
   * `sameCode` allows it), then reused again. Returns the bundle built after the change.
   */
  function rebuiltBy(options: Options, change: () => void, sameCode = false): Bundle {
    const before = bundleFunction(options);
    expect(bundleFunction(options)).toMatchObject({ cached: true, sourceCodeHash: before.sourceCodeHash });
    change();
    const after = bundleFunction(options);
    expect(after.cached).toBe(false);
    if (!sameCode) expect(after.sourceCodeHash).not.toBe(before.sourceCodeHash);
    expect(bundleFunction(options)).toMatchObject({ cached: true, sourceCodeHash: after.sourceCodeHash });
    return after;
  }

  test("the project's tsconfig.json and package.json's resolution fields (read by esbuild, listed nowhere) rebuild; its scripts do not", () => {
    writeAll({
      "tsconfig.json": '{ "compilerOptions": { "target": "ES2022" } }',
      "package.json": '{ "name": "fixture", "scripts": { "build": "one" } }',
      "src/fields.ts": "class Counter { count = 1; } export const handler = async () => new Counter().count;",
    });
    const options = cachedIn("settings", "src/fields.ts");
    // Class fields emitted as assignments instead of [[Define]]: another zip from the same sources.
    rebuiltBy(options, () => write("tsconfig.json", '{ "compilerOptions": { "target": "ES2022", "useDefineForClassFields": false } }'));
    write("package.json", '{ "name": "fixture", "scripts": { "build": "two" } }');
    expect(bundleFunction(options).cached).toBe(true);
    rebuiltBy(options, () => write("package.json", '{ "name": "fixture", "scripts": { "build": "two" }, "sideEffects": false }'), true);
  });

  test("what tsconfig.json extends, and the settings of the folders between a file and the root (the nearest governs it), rebuild", () => {
    writeAll({
      // As TypeScript reads it: comments, trailing commas; extends a path without ".json", then an installed package.
      "tsconfig.json": '{\n  // shared settings\n  "extends": ["./tsconfig.base", "@fixture/tsconfig"],\n}',
      "tsconfig.base.json": '{ "compilerOptions": { "target": "ES2022" } }',
      "node_modules/@fixture/tsconfig/tsconfig.json": "{}",
      "package.json": '{ "name": "fixture" }',
      "nest/deep/fields.ts": "import './effect'; class Counter { count = 1; } export const handler = async () => new Counter().count;",
      "nest/deep/effect.ts": "(globalThis as any).touched = true;",
    });
    const options = cachedIn("folder-settings", "nest/deep/fields.ts");
    const code = (bundle: Bundle) => unzip(readFileSync(bundle.zipPath)).get("index.js")!.toString("utf8");
    rebuiltBy(options, () => write("tsconfig.base.json", '{ "compilerOptions": { "target": "ES2022", "useDefineForClassFields": false } }'));
    rebuiltBy(options, () => write("node_modules/@fixture/tsconfig/tsconfig.json", '{ "compilerOptions": { "useDefineForClassFields": true } }'));
    // The nearest tsconfig.json governs its folder's files: added where none was, edited, and through what it extends.
    rebuiltBy(options, () => write("nest/deep/tsconfig.json", '{ "compilerOptions": { "target": "ES2022", "useDefineForClassFields": false } }'));
    write("nest/settings/deep.json", '{ "compilerOptions": { "target": "ES2022" } }');
    rebuiltBy(options, () => write("nest/deep/tsconfig.json", '{ "extends": "../settings/deep.json" }'));
    rebuiltBy(options, () => write("nest/settings/deep.json", '{ "compilerOptions": { "target": "ES2022", "useDefineForClassFields": false } }'));
    // A package.json between the file and the root: its sideEffects drops the bare import of ./effect.
    expect(code(bundleFunction(options))).toContain("touched");
    const pure = rebuiltBy(options, () => write("nest/package.json", '{ "sideEffects": false }'));
    expect(code(pure)).not.toContain("touched");
    // Settings in a folder the build did not read from, or a file beside them, change nothing.
    writeAll({ "nest/other/tsconfig.json": "{}", "nest/deep/tsconfig.build.json": "{}", "nest/other/package.json": "{}" });
    expect(bundleFunction(options).cached).toBe(true);
  });

  test.each([
    ["relative", "shadowing", "./"],
    ["through tsconfig's paths", "mapped", "@mapped/"],
  ])("a file added where an import (%s) looked (shadow.ts before shadow/index.ts, a .tsx before a .ts) rebuilds; one added elsewhere does not", (_how, dir, prefix) => {
    writeAll({
      "tsconfig.json": '{ "compilerOptions": { "baseUrl": ".", "paths": { "@mapped/*": ["mapped/*"] } } }',
      [`${dir}/shadow/index.ts`]: "export const where = 'folder';",
      [`${dir}/near.ts`]: "export const near = 'ts';",
      [`${dir}/entry.ts`]: `import { where } from '${prefix}shadow'; import { near } from '${prefix}near'; export const handler = async () => \`\${where} \${near}\`;`,
    });
    const options = cachedIn(dir, `${dir}/entry.ts`);
    // Every file the last build read is unchanged and still there: only what the imports now find first is not.
    rebuiltBy(options, () => write(`${dir}/shadow.ts`, "export const where = 'file';"));
    rebuiltBy(options, () => write(`${dir}/near.tsx`, "export const near = 'tsx';"));
    write(`${dir}/shadow/other.ts`, "export const other = 1;");
    write(`${dir}/nearby.ts`, "export const nearby = 1;");
    expect(bundleFunction(options).cached).toBe(true);
  });

  /** A link at `link` (replacing one there) to `target`, both relative to the fixture's root. */
  const linkAt = (link: string, target: string) => {
    const at = path.join(root, link);
    rmSync(at, { force: true });
    mkdirSync(path.dirname(at), { recursive: true });
    symlinkSync(path.relative(path.dirname(at), path.join(root, target)), at);
  };

  test("an installed package.json edited by hand (its main: esbuild reads it, lists it nowhere) rebuilds", () => {
    writeAll({
      "node_modules/mains/package.json": '{"name":"mains","main":"one.js"}',
      "node_modules/mains/one.js": "exports.word = 'one';",
      "node_modules/mains/two.js": "exports.word = 'two';",
      "src/mains.ts": "import { word } from 'mains'; export const handler = async () => word;",
    });
    const options = cachedIn("mains", "src/mains.ts");
    rebuiltBy(options, () => write("node_modules/mains/package.json", '{"name":"mains","main":"two.js"}'));
  });

  test("a link in node_modules made by hand (npm records none), retargeted, rebuilds; so does one it leads through", () => {
    for (const fork of ["first", "second"]) {
      write(`forks/${fork}/package.json`, '{"name":"@scope/linked","main":"index.js"}');
      write(`forks/${fork}/index.js`, `exports.word = '${fork} fork';`);
    }
    write("src/linked.ts", "import { word } from '@scope/linked'; export const handler = async () => word;");
    const options = cachedIn("linked", "src/linked.ts");
    linkAt("node_modules/@scope/linked", "forks/first");
    const first = bundleFunction(options);
    // Every file the last build read is still there, unchanged: only where the import resolves to is not.
    const retargeted = rebuiltBy(options, () => linkAt("node_modules/@scope/linked", "forks/second"));
    // The link in node_modules unchanged, the one it leads through retargeted.
    linkAt("forks/current", "forks/first");
    linkAt("node_modules/@scope/linked", "forks/current");
    expect(bundleFunction(options)).toMatchObject({ cached: false, sourceCodeHash: first.sourceCodeHash });
    linkAt("forks/current", "forks/second");
    expect(bundleFunction(options)).toMatchObject({ cached: false, sourceCodeHash: retargeted.sourceCodeHash });
  });

  test("a new link that shadows a package hoisted above the project rebuilds, node_modules settled or not", () => {
    // Every file the last build read (in the monorepo's node_modules) is unchanged and still there: only the
    // project's node_modules changed. Made once that node_modules had settled (its listing of links is then kept
    // while none of its directories changes).
    writeAll({
      "monorepo/node_modules/hoisted/package.json": '{"name":"hoisted","main":"index.js"}',
      "monorepo/node_modules/hoisted/index.js": "exports.word = 'hoisted';",
      "forks/hoisted/package.json": '{"name":"hoisted","main":"index.js"}',
      "forks/hoisted/index.js": "exports.word = 'linked';",
      "monorepo/app/src/hoisted.ts": "import { word } from 'hoisted'; export const handler = async () => word;",
    });
    mkdirSync(path.join(root, "monorepo/app/node_modules"));
    const app = { entry: "src/hoisted.ts", projectRoot: path.join(root, "monorepo/app"), outDir: path.join(root, ".cache", "hoisted"), cache: true };
    const hoisted = bundleFunction(app);
    const longAgo = Date.now() / 1000 - 60;
    utimesSync(path.join(root, "monorepo/app/node_modules"), longAgo, longAgo);
    expect(bundleFunction(app).cached).toBe(true);
    expect(bundleFunction(app).cached).toBe(true);
    linkAt("monorepo/app/node_modules/hoisted", "forks/hoisted");
    const shadowed = bundleFunction(app);
    expect(shadowed.cached).toBe(false);
    expect(shadowed.sourceCodeHash).not.toBe(hoisted.sourceCodeHash);
    // Changed twice within one tick of the file system's clock (the mtime set back by hand): a listing taken in
    // between is not kept, since the directory had not settled.
    const tick = Date.now() / 1000;
    rmSync(path.join(root, "monorepo/app/node_modules/hoisted"));
    utimesSync(path.join(root, "monorepo/app/node_modules"), tick, tick);
    expect(bundleFunction(app)).toMatchObject({ cached: false, sourceCodeHash: hoisted.sourceCodeHash });
    linkAt("monorepo/app/node_modules/hoisted", "forks/hoisted");
    utimesSync(path.join(root, "monorepo/app/node_modules"), tick, tick);
    expect(bundleFunction(app)).toMatchObject({ cached: false, sourceCodeHash: shadowed.sourceCodeHash });
  });

  test("many at once (main.ts starts them before cdktf loads): the same bytes as one by one, cache included", async () => {
    write("src/other.ts", "import { name } from './words'; export const handler = async () => name.length;");
    const entries = ["src/index.ts", "src/other.ts"];
    const together = await bundleFunctions(entries.map((e, i) => cachedIn(`together-${i}`, e)));
    const alone = entries.map((e, i) => bundleFunction(cachedIn(`alone-${i}`, e)));
    expect(together.map((b) => [b.cached, b.sourceCodeHash])).toEqual(alone.map((b) => [false, b.sourceCodeHash]));
    const again = await bundleFunctions(entries.map((e, i) => cachedIn(`together-${i}`, e)));
    expect(again.map((b) => [b.cached, b.sourceCodeHash])).toEqual(alone.map((b) => [true, b.sourceCodeHash]));
    write("src/words.ts", "export const name = 'changed';");
    expect((await bundleFunctions(entries.map((e, i) => cachedIn(`together-${i}`, e)))).map((b) => b.cached)).toEqual([false, false]);
    // Installed files are stamped once per call, never remembered across calls: an edit in between is seen.
    write("node_modules/dep/index.js", "exports.greet = () => 'edited between two calls';");
    expect((await bundleFunctions(entries.map((e, i) => cachedIn(`together-${i}`, e)))).map((b) => b.cached)).toEqual([false, true]);
  });

  // A file saved while esbuild runs: bundle.ts loaded with its zip module wrapped, so that the edit lands after
  // esbuild has read every input (zipping follows the build) and before the cache records them.
  function withEditDuringBuild(edit: () => void): typeof import("../../constructs/bundle") {
    let pending: (() => void) | undefined = edit;
    let isolated!: typeof import("../../constructs/bundle");
    jest.isolateModules(() => {
      jest.doMock("../../constructs/zip", () => {
        const actual = jest.requireActual<typeof import("../../constructs/zip")>("../../constructs/zip");
        const afterBuild = <T>(zip: (entries: readonly ZipEntry[]) => T) => (entries: readonly ZipEntry[]) => {
          const now = pending;
          pending = undefined;
          now?.();
          return zip(entries);
        };
        return { ...actual, zipDeterministic: afterBuild(actual.zipDeterministic), zipDeterministicAsync: afterBuild(actual.zipDeterministicAsync) };
      });
      isolated = require("../../constructs/bundle") as typeof import("../../constructs/bundle");
    });
    return isolated;
  }

  type How = "one handler" | "many at once";
  const hows: How[] = ["one handler", "many at once"];
  /** A bundle of `options` through bundle.ts, with `edit` landing while esbuild runs; "many at once": bundleFunctions. */
  async function bundleWith(how: How, options: Options, edit: () => void = () => undefined): Promise<Bundle> {
    const module = withEditDuringBuild(edit);
    return how === "one handler" ? module.bundleFunction(options) : (await module.bundleFunctions([options]))[0]!;
  }

  /** What `work` returned, and what it said on stderr meanwhile. */
  async function saying<T>(work: () => Promise<T>): Promise<{ result: T; said: string }> {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const result = await work();
      return { result, said: stderr.mock.calls.map(([text]) => String(text)).join("") };
    } finally {
      stderr.mockRestore();
    }
  }

  /** The build with `save` landing while esbuild runs, and what it said on stderr. */
  async function raced(how: How, options: Options, save: () => void): Promise<{ bundle: Bundle; said: string }> {
    const { result, said } = await saying(() => bundleWith(how, options, save));
    return { bundle: result, said };
  }

  /** After a race: the next call builds again, the one after reuses that, and a build alone gives the same zip. */
  async function expectBuiltAgainThenReused(how: How, options: Options, race: Bundle): Promise<void> {
    const next = await bundleWith(how, options);
    expect(next.cached).toBe(false);
    expect(next.sourceCodeHash).not.toBe(race.sourceCodeHash);
    expect(await bundleWith(how, options)).toMatchObject({ cached: true, sourceCodeHash: next.sourceCodeHash });
    // What the next call built is the file as saved during the build: a build of it alone gives the same zip.
    expect(bundleFunction({ ...options, outDir: `${options.outDir}-alone`, cache: false }).sourceCodeHash).toBe(next.sourceCodeHash);
  }

  test.each(hows)("a project file saved while esbuild runs (%s) is built again at the next call, never reused stale", async (how) => {
    const options = cachedIn(`race-${how}`, "src/index.ts");
    await bundleWith(how, options);
    write("src/words.ts", "export const name = 'saved before the build';");
    const race = await raced(how, options, () => write("src/words.ts", "export const name = 'saved during the build';"));
    expect(race.said).toContain("src/words.ts changed while being compiled");
    expect(race.bundle.cached).toBe(false);
    await expectBuiltAgainThenReused(how, options, race.bundle);
  });

  test.each(hows)("tsconfig.json saved while esbuild runs (%s): the settings it read are recorded, so the next call builds again", async (how) => {
    write("tsconfig.json", '{ "compilerOptions": { "target": "ES2022" } }');
    write("src/fields.ts", "class Counter { count = 1; } export const handler = async () => new Counter().count;");
    const options = cachedIn(`race-settings-${how}`, "src/fields.ts");
    await bundleWith(how, options);
    write("tsconfig.json", '{ "compilerOptions": { "target": "ES2022", "useDefineForClassFields": false } }');
    const race = await raced(how, options, () => write("tsconfig.json", '{ "compilerOptions": { "target": "ES2022", "useDefineForClassFields": true } }'));
    expect(race.bundle.cached).toBe(false);
    await expectBuiltAgainThenReused(how, options, race.bundle);
  });

  test.each(hows)("a file the last build did not read (a new import), saved while esbuild runs (%s), is built again at the next call", async (how) => {
    const options = cachedIn(`race-new-${how}`, "src/late-entry.ts");
    write("src/late-entry.ts", "import { name } from './words'; export const handler = async () => name;");
    await bundleWith(how, options);
    // The entry now imports a file no build of it read: nothing recorded says what that file held before this build.
    write(`src/late-${how}.ts`, "export const late = 'saved before the build';");
    write("src/late-entry.ts", `import { late } from './late-${how}'; export const handler = async () => late;`);
    const race = await raced(how, options, () => saveNow(`src/late-${how}.ts`, "export const late = 'saved during the build';"));
    expect(race.said).toContain(`src/late-${how}.ts changed while being compiled`);
    expect(race.bundle.cached).toBe(false);
    backdate(`src/late-${how}.ts`); // the next call, a second later
    await expectBuiltAgainThenReused(how, options, race.bundle);
  });

  test.each(hows)("an installed file the last build did not read, saved while esbuild runs (%s), is built again at the next call", async (how) => {
    const options = cachedIn(`race-installed-${how}`, "src/index.ts");
    await bundleWith(how, options);
    // The package now requires a file of its own that no build read (its mtime is read from the stamp, not stat'ed again).
    const extra = `node_modules/dep/extra-${how.replace(/ /g, "-")}.js`;
    write(extra, "exports.word = 'installed before the build';");
    write("node_modules/dep/index.js", `exports.greet = () => require('./${path.basename(extra)}').word;`);
    const race = await raced(how, options, () => saveNow(extra, "exports.word = 'installed during the build';"));
    expect(race.said).toContain(`${extra} changed while being compiled`);
    expect(race.bundle.cached).toBe(false);
    backdate(extra); // the next call, a second later
    await expectBuiltAgainThenReused(how, options, race.bundle);
  });

  test("a file several handlers read, saved while esbuild builds them together, is named once and built again for each", async () => {
    write("src/other.ts", "import { name } from './words'; export const handler = async () => name.length;");
    const all = ["src/index.ts", "src/other.ts"].map((entry, i) => cachedIn(`named-once-${i}`, entry));
    await bundleFunctions(all);
    write("src/words.ts", "export const name = 'saved before the build';");
    const race = await saying(() => withEditDuringBuild(() => write("src/words.ts", "export const name = 'saved during the build';")).bundleFunctions(all));
    expect(race.said.match(/src\/words\.ts changed while being compiled/g)).toHaveLength(1);
    expect(race.result.map((b) => b.cached)).toEqual([false, false]);
    expect((await bundleFunctions(all)).map((b) => b.cached)).toEqual([false, false]);
    expect((await bundleFunctions(all)).map((b) => b.cached)).toEqual([true, true]);
  });

  test("a file dated in the future (a clock skewed elsewhere) does not keep its builds from being recorded", () => {
    const options = cachedIn("future", "src/future-entry.ts");
    write("src/future-entry.ts", "import { name } from './words'; export const handler = async () => name;");
    const inAnHour = Date.now() / 1000 + 3600;
    utimesSync(path.join(root, "src/future-entry.ts"), inAnHour, inAnHour);
    expect(bundleFunction(options).cached).toBe(false);
    expect(bundleFunction(options).cached).toBe(true);
  });

  test("handlers in folders of their own: built together, each zip is the one built alone (the map's names too)", async () => {
    // Pitfall: esbuild names an entry's exports by its path from the entries' common folder unless outbase is fixed.
    write("fns/first/index.ts", "import { name } from '../../src/words'; export const handler = async () => name;");
    write("fns/second/index.ts", "import { greet } from 'dep'; export const handler = async () => greet();");
    const options = (entry: string, dir: string) => ({ entry, projectRoot: root, outDir: path.join(root, ".cache", dir), cache: false });
    const entries = ["fns/first/index.ts", "fns/second/index.ts"];
    const together = await bundleFunctions(entries.map((e, i) => options(e, `folders-together-${i}`)));
    const alone = entries.map((e, i) => bundleFunction(options(e, `folders-alone-${i}`)));
    expect(together.map((b) => b.sourceCodeHash)).toEqual(alone.map((b) => b.sourceCodeHash));
    // Each manifest holds what its own entry reads, not everything the shared build read (nor where it looked:
    // "src/words.*" are the names "../../src/words" could have been, see searchedNames; nor the settings of the
    // folders above the other entry, see folderSettingsOf).
    const inputsOf = (i: number) => Object.keys((JSON.parse(readFileSync(path.join(root, ".cache", `folders-together-${i}`, BUNDLE_MANIFEST), "utf8")) as { inputs: object }).inputs);
    const settingsOf = (...folders: string[]) => folders.flatMap((f) => ["jsconfig", "package", "tsconfig"].map((name) => `${f}/${name}.json.*`));
    expect(inputsOf(0).sort()).toEqual(["fns/first/index.ts", "src/words.*", "src/words.ts", ...settingsOf("fns", "fns/first", "src")].sort());
    expect(inputsOf(1).sort()).toEqual(["fns/second/index.ts", ...settingsOf("fns", "fns/second")].sort());
  });
});
