import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { environmentNames, loadConfig } from "../../config";
import { placeholder, unreplacedPlaceholders } from "../../config/placeholder";
import { scriptArgs } from "../app-command";

const root = path.resolve(__dirname, "../..");
const outdir = mkdtempSync(path.join(tmpdir(), "ddn-guard-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const run = (script: "deploy" | "plan" | "synth", env: string, args: string[] = [], more: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, scriptArgs(root, script, args), { cwd: root, encoding: "utf8", env: { ...process.env, DDN_ENV: env, CDKTF_OUTDIR: outdir, ...more } });

describe("example values marked placeholder(...) in config", () => {
  test("are found wherever they end up, by path", () => {
    const url = placeholder("https://marked.example.test/");
    expect(unreplacedPlaceholders({ a: { b: [1, url] }, c: "https://mine.test/" })).toEqual([{ path: "a.b[1]", value: url }]);
  });

  test.each(environmentNames())("%s: a deploy is refused exactly when the config still has them", (env) => {
    const unreplaced = unreplacedPlaceholders(loadConfig(env));
    // `--help` never reaches AWS: past the guard, cdktf only prints its usage.
    const r = run("deploy", env, ["--help"]);
    if (unreplaced.length > 0) {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`deploy refused: ${env}: ${unreplaced.length} example value(s)`);
      for (const u of unreplaced) expect(r.stderr).toContain(`${u.path} = ${JSON.stringify(u.value)}`);
    } else {
      expect(r.stderr).toContain("deploy: cdktf deploy");
    }
  }, 60_000);

  test.each(environmentNames())("%s: a plan against AWS is refused up front while the account is an example value", (env) => {
    const account = unreplacedPlaceholders(loadConfig(env)).find((u) => u.path === "account");
    // Credentials in the environment only: the refusal comes before any synth, Terraform or AWS call.
    const r = run("plan", env, ["--env", env], { TF_STATE_BUCKET: "some-state-bucket", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "example", PATH: "/nonexistent" });
    if (account) {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`plan failed: ${env}'s account is an example value (${account.value}): replace it in config/environments.ts`);
    } else {
      // Past the check: with no terraform on PATH, the next step stops it.
      expect(r.stderr).toContain("plan failed: cannot run Terraform");
    }
  });

  test("prod ships its example account, origin, JWKS URL and issuer marked, so synth warns and deploys refuse", () => {
    expect(unreplacedPlaceholders(loadConfig("prod")).map((u) => u.path)).toEqual(["account", "allowedOrigins[0]", "api.auth.jwksUrl", "api.auth.issuer"]);
    const synth = run("synth", "prod");
    expect(synth.status).toBe(0);
    expect(synth.stderr).toContain("warning: prod: 4 example value(s) in config/environments.ts must be replaced before a deploy:");
  }, 60_000);
});
