import { spawnSync } from "node:child_process";
import * as path from "node:path";

// synth/stack-trace-format.ts, in a process of its own (jest formats stacks itself): at most 20 frames formatted,
// V8's first line kept, and Node's full stacks whenever source maps are on.
const root = path.resolve(__dirname, "../..");
const entry = "__tests__/fixtures/synth/stack-traces.ts";
const traces = (nodeArgs: string[]) => {
  const r = spawnSync(process.execPath, [...nodeArgs, "synth/precompiled.js", entry], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { error: string[]; plain: string };
};

test("synthesis formats the first 20 frames of a stack, with V8's first line", () => {
  const { error, plain } = traces([]);
  expect(error[0]).toBe("Error: deep");
  expect(error).toHaveLength(21);
  for (const line of error.slice(1)) expect(line).toMatch(/^ {4}at .+:\d+:\d+\)?$/);
  expect(plain).toBe("Error");
}, 30_000);

test("under --enable-source-maps every frame is formatted, as Node does", () => {
  const { error } = traces(["--enable-source-maps"]);
  expect(error[0]).toBe("Error: deep");
  expect(error.length).toBeGreaterThan(50);
}, 30_000);
