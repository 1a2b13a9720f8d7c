import { rmSync } from "node:fs";
import { applyChange, copyProject, runAsync, sharedBundleDir } from "./project-copy";

// The four everyday changes of __tests__/design/changes.test.ts applied together to one copy of the project: its
// type check (`npm run typecheck`, the copy's own) and its stack, policy, config and delivery tests pass without a
// test being edited. The type check and jest run side by side.
let copy: string;
afterAll(() => rmSync(copy, { recursive: true, force: true }));

test("all four changes together pass tsc and the stack, policy, config and delivery tests", async () => {
  copy = copyProject();
  for (const change of ["images-function", "delete-route", "staging-environment", "lifecycle-expiry"]) applyChange(copy, change);
  const [tsc, jest] = await Promise.all([
    runAsync(copy, ["scripts/typecheck.js"]),
    // Snapshots are rewritten in the copy (-u): what is tested is every property assertion, for every environment.
    runAsync(copy, [
      "node_modules/jest/bin/jest.js", "--ci=false", "-u", "--silent",
      "__tests__/stacks/api.test.ts", "__tests__/stacks/compute.test.ts", "__tests__/stacks/iam.test.ts", "__tests__/stacks/storage.test.ts",
      "__tests__/stacks/references.test.ts", "__tests__/config.test.ts", "__tests__/policy", "__tests__/delivery/bootstrap.test.ts", "__tests__/delivery/workflows.test.ts",
    ], { DDN_BUNDLE_DIR: sharedBundleDir(copy) }),
  ]);
  expect({ status: tsc.status, out: tsc.stdout }).toEqual({ status: 0, out: "" });
  expect({ status: jest.status, failures: jest.stderr.split("\n").filter((l) => /✕|●/.test(l)) }).toEqual({ status: 0, failures: [] });
  expect(jest.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
}, 600_000);
