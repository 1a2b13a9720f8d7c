import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { environmentNames } from "../config";
import { appArgs } from "./app-command";

const root = path.resolve(__dirname, "..");

describe("main.ts (the command users run)", () => {
  test("an unknown DDN_ENV exits non-zero, names the valid environments, and writes nothing", () => {
    const parent = mkdtempSync(path.join(tmpdir(), "ddn-main-"));
    const outdir = path.join(parent, "cdktf.out");
    const r = spawnSync(process.execPath, appArgs(root), {
      cwd: root,
      env: { ...process.env, DDN_ENV: "no-such-env", CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    const written = existsSync(outdir);
    rmSync(parent, { recursive: true, force: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Unknown environment "no-such-env"');
    expect(r.stderr).toContain(`Valid environments: ${environmentNames().join(", ")}`);
    expect(written).toBe(false);
  });
});
