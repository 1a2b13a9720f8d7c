import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { copyProject, run } from "./design/project-copy";

// `npm run typecheck` (scripts/typecheck.js, the first half of `npm test`) must fail on a type error, naming file
// and line: the script only hands tsc its arguments, so a wrong path or a swallowed exit status would pass silently.
let copy: string;
afterAll(() => rmSync(copy, { recursive: true, force: true }));

test("a type error fails the type check, naming file and line", () => {
  copy = copyProject();
  writeFileSync(path.join(copy, "config", "type-error.ts"), 'export const port: number = "8080";\n');
  const r = run(copy, ["scripts/typecheck.js"]);
  expect(r.status).not.toBe(0);
  expect(r.stdout).toContain("config/type-error.ts(1,14): error TS2322");
});
