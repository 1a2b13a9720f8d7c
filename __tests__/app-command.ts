import { readFileSync } from "node:fs";
import * as path from "node:path";

/** A command line that is one plain `node ...` command, as node's arguments; `what` names it in the error. */
function nodeArgsOf(command: string | undefined, what: string): string[] {
  const [node, ...args] = (command ?? "").split(/\s+/);
  // Shell syntax would reach node as arguments.
  if (node !== "node" || args.length === 0 || /[&|;<>$`]/.test(command ?? "")) throw new Error(`${what} is not one plain "node ..." command: ${command}`);
  return args;
}

/**
 * The app command cdktf runs (cdktf.json "app"), as arguments for node, with another entry if given: tests
 * synthesize the way `cdktf synth` and `npm run synth` do.
 */
export function appArgs(root: string, entry = "main.ts"): string[] {
  const app = (JSON.parse(readFileSync(path.join(root, "cdktf.json"), "utf8")) as { app: string }).app;
  const args = nodeArgsOf(app, "cdktf.json's app");
  if (!args.includes("main.ts")) throw new Error(`cdktf.json app "${app}" does not run main.ts`);
  return args.map((a) => (a === "main.ts" ? entry : a));
}

/**
 * What `npm run <script>` runs (package.json's scripts), as arguments for node followed by `extra`: tests run a
 * command the way npm does, without npm's own start-up.
 */
export function scriptArgs(root: string, script: string, extra: readonly string[] = []): string[] {
  const command = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts[script];
  return [...nodeArgsOf(command, `package.json script "${script}"`), ...extra];
}
