import { STACK_PARTS } from "../../config";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { synthEnv, type Synthesized } from "../stacks/synth";
import { appArgs } from "../app-command";

// Exit path 1: plain Terraform. `cdktf synth --hcl` sets SYNTH_HCL_OUTPUT=true for the app; the result is a
// cdk.tf per stack that Terraform runs without cdktf. It must declare exactly what the JSON output declares.
const root = path.resolve(__dirname, "../..");

describe("HCL output (`cdktf synth --hcl`)", () => {
  let json: Synthesized;
  let hclDir: string;
  beforeAll(() => {
    json = synthEnv("dev");
    hclDir = mkdtempSync(path.join(tmpdir(), "ddn-hcl-"));
    const r = spawnSync(process.execPath, appArgs(root), {
      cwd: root,
      env: { ...process.env, SYNTH_HCL_OUTPUT: "true", CDKTF_OUTDIR: hclDir, DDN_ENV: "dev" },
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(r.stderr);
  });
  afterAll(() => {
    json.cleanup();
    rmSync(hclDir, { recursive: true, force: true });
  });

  test.each([...STACK_PARTS])("ddn-dev-%s: the same resources and data sources as the JSON output", (part) => {
    const stack = `ddn-dev-${part}`;
    const hcl = readFileSync(path.join(hclDir, "stacks", stack, "cdk.tf"), "utf8");
    const declared = (kind: "resource" | "data") => [...hcl.matchAll(new RegExp(`^${kind} "([^"]+)" "([^"]+)"`, "gm"))].map((m) => `${m[1]}.${m[2]}`).sort();
    const fromJson = (kind: "resource" | "data") =>
      Object.entries((json.stacks[stack] as any)[kind] ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`)).sort();
    expect(declared("resource")).toEqual(fromJson("resource"));
    expect(declared("data")).toEqual(fromJson("data"));
    expect(hcl).toMatch(/backend "local" \{/);
    expect(hcl).not.toContain(root);
  });
});
