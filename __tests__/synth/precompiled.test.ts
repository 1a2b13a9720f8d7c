import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { appArgs } from "../app-command";
import { applyChange, copyProject, run, stackJson } from "../design/project-copy";

// synth/precompiled.js runs main.ts compiled to one CommonJS file by plain node. What must hold: the command
// users run is the launcher, its output is the output of the source run byte for byte, and it never runs stale
// code (an edit, a new function folder, a source that does not compile).
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
  for (const env of ["dev", "prod"]) {
    const out = (how: string) => path.join(work, `${how}-${env}`);
    const fromSource = spawnSync(process.execPath, ["--require", "tsx/cjs", "main.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, DDN_ENV: env, CDKTF_OUTDIR: out("source") } });
    const precompiled = spawnSync(process.execPath, appArgs(root), { cwd: root, encoding: "utf8", env: { ...process.env, DDN_ENV: env, CDKTF_OUTDIR: out("precompiled") } });
    expect([fromSource.status, precompiled.status]).toEqual([0, 0]);
    const a = files(out("source"));
    const b = files(out("precompiled"));
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const [file, bytes] of Object.entries(a)) expect({ file, same: bytes.equals(b[file]!) }).toEqual({ file, same: true });
  }
}, 60_000);

describe("never stale", () => {
  let copy: string;
  let bundles: string;
  const synth = (out: string) => run(copy, appArgs(copy), { DDN_ENV: "dev", CDKTF_OUTDIR: path.join(copy, ".out", out), DDN_BUNDLE_DIR: bundles });
  const compiled = () => {
    const dir = path.join(bundles, "entries");
    const [only, ...more] = readdirSync(dir);
    expect(more).toEqual([]);
    return path.join(dir, only!, "entry.js");
  };
  beforeAll(() => {
    copy = copyProject();
    bundles = path.join(copy, ".bundles");
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  test("compiled once, then reused while nothing changed", () => {
    expect(synth("first").status).toBe(0);
    const first = statSync(compiled()).mtimeMs;
    expect(synth("second").status).toBe(0);
    expect(statSync(compiled()).mtimeMs).toBe(first);
    // The compiled file names this copy as its root: its outputs are the copy's, not the checkout's.
    expect(readFileSync(compiled(), "utf8")).toContain(JSON.stringify(copy));
  }, 60_000);

  test("an edited source is compiled in before the next run", () => {
    const file = path.join(copy, "functions", "status", "function.ts");
    const text = readFileSync(file, "utf8");
    const description = /description: "([^"]+)"/.exec(text)![1]!;
    writeFileSync(file, text.replace(description, "Edited after the first compile"));
    expect(synth("edited").status).toBe(0);
    const compute = stackJson(path.join(copy, ".out", "edited"), "ddn-dev-compute");
    expect(Object.values(compute.resource.aws_lambda_function).map((f: any) => f.description)).toContain("Edited after the first compile");
  }, 60_000);

  test("a new function folder is compiled in (the registry finds it without an edit)", () => {
    applyChange(copy, "images-function");
    const r = synth("added");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/bundle thumbnail/);
    expect(Object.keys(stackJson(path.join(copy, ".out", "added"), "ddn-dev-compute").resource.aws_lambda_function).some((k) => k.startsWith("thumbnail_"))).toBe(true);
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
