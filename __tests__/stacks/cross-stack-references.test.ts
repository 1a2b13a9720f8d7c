import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App, type TerraformStack } from "cdktf";
import { loadConfig } from "../../config";
import { addPipeline } from "../../stacks/app";
import { ENVIRONMENTS } from "./synth";

// The app answers each cross-stack reference with one token (stacks/cross-stack-references.ts). What must hold:
// cdktf's own method is asked once per (origin, user, identifier), and the files are what they are without that.
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Call = [TerraformStack, TerraformStack, string];

function synthesized(env: string, shared: boolean): { files: Record<string, string>; calls: Call[] } {
  const outdir = mkdtempSync(path.join(tmpdir(), `ddn-csr-${env}-`));
  dirs.push(outdir);
  const spy = jest.spyOn(App.prototype, "crossStackReference");
  try {
    const app = new App({ outdir });
    addPipeline(app, loadConfig(env));
    // cdktf's method back, as every App has it: each resolution makes its own token.
    if (!shared) delete (app as { crossStackReference?: unknown }).crossStackReference;
    app.synth();
    const stacks = path.join(outdir, "stacks");
    const files = Object.fromEntries(readdirSync(stacks).map((s) => [s, readFileSync(path.join(stacks, s, "cdk.tf.json"), "utf8")]));
    return { files, calls: spy.mock.calls as Call[] };
  } finally {
    spy.mockRestore();
  }
}

const key = ([from, to, identifier]: Call): string => `${from.node.path} -> ${to.node.path}: ${identifier}`;

describe.each(ENVIRONMENTS)("%s", (env) => {
  test("each cross-stack reference is made once, and the stacks are written as without sharing", () => {
    const shared = synthesized(env, true);
    const own = synthesized(env, false);
    expect(shared.files).toEqual(own.files);

    const made = shared.calls.map(key);
    expect(new Set(made).size).toBe(made.length);
    // The same references, which cdktf alone asks for again at each resolution.
    expect(new Set(own.calls.map(key))).toEqual(new Set(made));
    expect(own.calls.length).toBeGreaterThan(made.length);
  });
});
