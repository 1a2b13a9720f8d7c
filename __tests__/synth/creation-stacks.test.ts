import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { CREATION_STACKS_OFF, debuggingRequested } from "../../synth/creation-stacks";

// synth/creation-stacks.ts, in a process of its own (jest installs its own stack handling): cdktf's token creation
// stacks are captured only when debugging, every other stack trace is untouched.
const root = path.resolve(__dirname, "../..");
const entry = "__tests__/fixtures/synth/creation-stacks.ts";
interface Traces {
  reference: string[];
  lazy: string[];
  error: string[];
  plain: string[];
}
const traces = (nodeArgs: string[], env: NodeJS.ProcessEnv = {}): Traces => {
  const { CDK_DEBUG: _inherited, ...rest } = process.env;
  const r = spawnSync(process.execPath, [...nodeArgs, "synth/precompiled.js", entry], { cwd: root, encoding: "utf8", env: { ...rest, ...env } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Traces;
};
const FRAME = /^ {4}at .+:\d+:\d+\)?$/;

test("synthesis skips cdktf's creation stacks (references and lazy values) and says how to get them", () => {
  const { reference, lazy, error, plain } = traces([]);
  expect(reference).toEqual([CREATION_STACKS_OFF]);
  expect(lazy).toEqual([CREATION_STACKS_OFF]);
  // Errors and ordinary captures keep Node's stack: V8's first line and its default 10 frames.
  expect(error[0]).toBe("Error: deep");
  expect(error).toHaveLength(11);
  for (const line of error.slice(1)) expect(line).toMatch(FRAME);
  expect(plain[0]).toBe("Error");
  expect(plain.length).toBeGreaterThan(1);
  for (const line of plain.slice(1)) expect(line).toMatch(FRAME);
}, 30_000);

test.each([
  ["CDK_DEBUG=true", [], { CDK_DEBUG: "true" }],
  ["CDK_DEBUG=1", [], { CDK_DEBUG: "1" }],
  ["--enable-source-maps", ["--enable-source-maps"], {}],
])("with %s every creation stack is captured in full", (_name, nodeArgs: string[], env: NodeJS.ProcessEnv) => {
  const { reference, lazy } = traces(nodeArgs, env);
  for (const stack of [reference, lazy]) {
    expect(stack).not.toContain(CREATION_STACKS_OFF);
    expect(stack.length).toBeGreaterThan(30); // no depth limit: cdktf's own capture
    for (const frame of stack) expect(frame).toMatch(/:\d+:\d+\)?$/);
  }
  expect(reference[0]).toMatch(/^new Intrinsic /);
}, 30_000);

test("CDK_DEBUG is read as aws-cdk-lib reads it", () => {
  expect(debuggingRequested({ CDK_DEBUG: "true" })).toBe(true);
  expect(debuggingRequested({ CDK_DEBUG: "1" })).toBe(true);
  for (const value of [undefined, "", "0", "false", "yes"]) expect(debuggingRequested({ CDK_DEBUG: value })).toBe(false);
});
