// npm run deploy [-- <cdktf deploy arguments>]: `cdktf deploy` of DDN_ENV's stacks, refused while the environment
// still has example values (config/placeholder.ts). The deploy workflow deploys through this script.
import { spawn } from "node:child_process";
import { DEFAULT_ENV, loadConfig } from "../config";
import { describeUnreplaced, unreplacedPlaceholders } from "../config/placeholder";

try {
  const config = loadConfig(process.env.DDN_ENV || DEFAULT_ENV);
  const unreplaced = unreplacedPlaceholders(config);
  if (unreplaced.length > 0) {
    process.stderr.write(`deploy refused: ${describeUnreplaced(config.env, unreplaced)}\n`);
    process.exit(1);
  }
  const args = process.argv.slice(2);
  const stacks = args.some((a) => !a.startsWith("-")) ? [] : [`${config.app}-${config.env}-*`];
  process.stderr.write(`deploy: cdktf deploy ${[...stacks, ...args].join(" ")}\n`);
  const child = spawn("npx", ["--no-install", "cdktf", "deploy", ...stacks, ...args], { stdio: "inherit", env: { ...process.env, DDN_ENV: config.env } });
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} catch (error) {
  process.stderr.write(`deploy: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
