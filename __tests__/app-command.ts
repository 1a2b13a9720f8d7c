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

/**
 * What `npm run <script>` runs (package.json's scripts), as arguments for node followed by `extra`: tests run a
 * command the way npm does, without npm's own start-up.
 */
export function scriptArgs(root: string, script: string, extra: readonly string[] = []): string[] {
  const command = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts[script];
  const [node, ...args] = (command ?? "").split(/\s+/);
  if (node !== "node" || args.length === 0 || /[&|;<>$`]/.test(command ?? "")) throw new Error(`package.json script "${script}" is not one plain "node ..." command: ${command}`);
  return [...args, ...extra];
}
