import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");

describe("main.ts (the command users run)", () => {
  test("an unknown DDN_ENV exits non-zero, names the valid environments, and writes nothing", () => {
    const outdir = path.join(root, "cdktf.out", "should-not-exist");
    const r = spawnSync(process.execPath, ["--require", "tsx/cjs", "main.ts"], {
      cwd: root,
      env: { ...process.env, DDN_ENV: "staging", CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Unknown environment "staging"');
    expect(r.stderr).toContain("Valid environments: dev, prod");
    expect(existsSync(outdir)).toBe(false);
  });
});
