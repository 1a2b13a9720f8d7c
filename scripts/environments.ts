// `npm run --silent environments`: the configured environments as a JSON array, for CI matrices.
// `npm run --silent environments -- --resolve NAME`: NAME if it is configured (else the default environment when
// NAME is empty); exits 2 naming the valid environments otherwise. CI workflows list no environment by hand.
// `npm run --silent environments -- --plan-targets`: where the pull-request workflow plans each environment
// (config/bootstrap.ts planTarget).
import { DEFAULT_ENV, environmentNames, loadConfig } from "../config";
import { planTarget } from "../config/bootstrap";

const USAGE = "usage: npm run --silent environments [-- --resolve NAME | --plan-targets]\n";
const args = process.argv.slice(2);
const names = environmentNames();
if (args[0] === "--resolve" && args.length <= 2) {
  const wanted = (args[1] ?? "").trim() || DEFAULT_ENV;
  if (!names.includes(wanted)) {
    process.stderr.write(`Unknown environment "${wanted}". Valid environments: ${names.join(", ")}.\n`);
    process.exit(2);
  }
  process.stdout.write(`${wanted}\n`);
} else if (args.length === 1 && args[0] === "--plan-targets") {
  process.stdout.write(`${JSON.stringify(names.map((name) => planTarget(loadConfig(name))))}\n`);
} else if (args.length === 0) {
  process.stdout.write(`${JSON.stringify(names)}\n`);
} else {
  process.stderr.write(USAGE);
  process.exit(2);
}
