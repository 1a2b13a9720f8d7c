import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { synthEnv, type Synthesized } from "./synth";

// `terraform validate` needs the terraform binary and the AWS provider (downloaded by `init` from the registry).
// Where either is missing the suite is skipped, visibly and with the reason; the GitHub workflow has both.
const pluginCache = mkdtempSync(path.join(tmpdir(), "ddn-tf-plugins-"));
const tfEnv = { ...process.env, TF_PLUGIN_CACHE_DIR: pluginCache, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };

function unavailableReason(): string | undefined {
  const version = spawnSync("terraform", ["version"], { encoding: "utf8" });
  if (version.status !== 0) return "`terraform` is not on PATH";
  const probe = mkdtempSync(path.join(tmpdir(), "ddn-tf-probe-"));
  try {
    mkdirSync(probe, { recursive: true });
    writeFileSync(path.join(probe, "main.tf.json"), JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "6.25.0" } } } }));
    const init = spawnSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], { cwd: probe, env: tfEnv, encoding: "utf8" });
    if (init.status !== 0) return `terraform cannot install the AWS provider here (${/could not connect to registry|no such host/.test(init.stderr) ? "registry unreachable" : init.stderr.trim().split("\n").pop()})`;
    return undefined;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const reason = unavailableReason();
if (reason) process.stderr.write(`terraform-validate.test.ts: SKIPPED — ${reason}; CI on GitHub runs it\n`);
const maybe = reason ? describe.skip : describe;

afterAll(() => rmSync(pluginCache, { recursive: true, force: true }));

maybe.each(["dev", "prod"])("terraform validate (%s)", (env) => {
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s?.cleanup());

  test("every stack passes `terraform init -backend=false && terraform validate`", () => {
    for (const stack of Object.keys(s.stacks)) {
      const cwd = path.join(s.outdir, "stacks", stack);
      const init = spawnSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], { cwd, env: tfEnv, encoding: "utf8" });
      expect({ stack, status: init.status, err: init.stderr }).toMatchObject({ stack, status: 0 });
      const validate = spawnSync("terraform", ["validate", "-no-color"], { cwd, env: tfEnv, encoding: "utf8" });
      expect({ stack, status: validate.status, out: validate.stdout + validate.stderr }).toMatchObject({ stack, status: 0 });
    }
  }, 600_000);
});
