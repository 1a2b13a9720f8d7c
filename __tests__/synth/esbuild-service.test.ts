import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { GO_SETTINGS } from "../../synth/esbuild-service";

// synth/esbuild-service.js: the esbuild process a build starts runs without Go's garbage collector (bounded by
// GOMEMLIMIT), whichever API starts it; the process that asked keeps its environment, so nothing else it starts
// (terraform is Go too) inherits that. In a process of its own (jest gives a test a copy of process.env, which
// child processes never see); read from the esbuild process itself (/proc: Linux, where CI runs).
const fixture = path.resolve(__dirname, "../fixtures/synth/esbuild-settings.js");
const procfs = existsSync("/proc/self/environ");
type Settings = { GOGC: string | null; GOMEMLIMIT: string | null };

function settings(api: "build" | "buildSync", env: { GOGC?: string; GOMEMLIMIT?: string } = {}): { started: Settings[]; own: Settings } {
  const { GOGC: _gogc, GOMEMLIMIT: _limit, ...rest } = process.env;
  const r = spawnSync(process.execPath, [fixture, api], { encoding: "utf8", env: { ...rest, ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { started: Settings[]; own: Settings };
}

const unset: Settings = { GOGC: null, GOMEMLIMIT: null };

(procfs ? describe : describe.skip)("the esbuild process a build starts", () => {
  test.each(["build", "buildSync"] as const)("through %s: GC off, heap bounded; the asking process's environment untouched", (api) => {
    expect(GO_SETTINGS).toEqual({ GOGC: "off", GOMEMLIMIT: "1GiB" });
    expect(settings(api)).toEqual({ started: [{ GOGC: "off", GOMEMLIMIT: "1GiB" }], own: unset });
  });

  test("a GOGC or GOMEMLIMIT the user set wins, and stays set", () => {
    expect(settings("build", { GOGC: "200" })).toEqual({ started: [{ GOGC: "200", GOMEMLIMIT: "1GiB" }], own: { GOGC: "200", GOMEMLIMIT: null } });
    expect(settings("buildSync", { GOMEMLIMIT: "512MiB" })).toEqual({ started: [{ GOGC: "off", GOMEMLIMIT: "512MiB" }], own: { GOGC: null, GOMEMLIMIT: "512MiB" } });
  });
});

if (!procfs) test.skip("esbuild's process settings: no /proc here to read them from", () => undefined);
