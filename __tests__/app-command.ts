import { readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The app command cdktf runs (cdktf.json "app"), as arguments for node, with another entry if given: tests
 * synthesize the way `cdktf synth` and `npm run synth` do.
 */
export function appArgs(root: string, entry = "main.ts"): string[] {
  const app = (JSON.parse(readFileSync(path.join(root, "cdktf.json"), "utf8")) as { app: string }).app;
  const [node, ...args] = app.split(/\s+/);
  if (node !== "node" || !args.includes("main.ts")) throw new Error(`cdktf.json app "${app}" is not "node ... main.ts"`);
  return args.map((a) => (a === "main.ts" ? entry : a));
}
