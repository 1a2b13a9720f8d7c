// npm run redrive -- [--env NAME] [--dry-run] [--limit N] [--function NAME]
// Replays the events in an environment's failure queue(s) to their function (ops/redrive.ts), with the caller's
// AWS credentials. AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_LAMBDA point it elsewhere (npm run local prints them).
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_ENV, environmentNames, loadConfig, naming, UnknownEnvironmentError } from "../config";
import { loadFunctions } from "../pipeline/registry";
import { redrive } from "../ops/redrive";

function usage(message: string): never {
  process.stderr.write(`redrive: ${message}\nusage: npm run redrive -- [--env NAME] [--dry-run] [--limit N] [--function NAME]\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let env = process.env.DDN_ENV || DEFAULT_ENV;
  let dryRun = false;
  let limit: number | undefined;
  let only: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--dry-run") dryRun = true;
    else if (a === "--env") env = args[++i] ?? usage("--env needs a name");
    else if (a === "--function") only = args[++i] ?? usage("--function needs a name");
    else if (a === "--limit") {
      limit = Number(args[++i]);
      if (!Number.isInteger(limit) || limit < 1) usage("--limit needs a whole number above 0");
    } else usage(`unknown argument "${a}"`);
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof UnknownEnvironmentError) usage(`no environment "${env}" (environments: ${environmentNames().join(", ")})`);
    throw e;
  }
  const names = naming(config);
  const eventDriven = loadFunctions(config).filter((f) => f.objectCreated?.length && (!only || f.name === only));
  if (eventDriven.length === 0) usage(only ? `"${only}" is not a function with a failure queue` : "no function has a failure queue");
  const endpoint = (service: string) => process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL;
  const sqs = new SQSClient({ region: config.region, ...(endpoint("SQS") ? { endpoint: endpoint("SQS") } : {}) });
  const lambda = new LambdaClient({ region: config.region, ...(endpoint("LAMBDA") ? { endpoint: endpoint("LAMBDA") } : {}), maxAttempts: 1 });
  let failed = 0;
  try {
    for (const fn of eventDriven) {
      const r = await redrive({ queue: names.failureQueue(fn.name), functionName: names.functionName(fn.name), dryRun, ...(limit ? { limit } : {}), sqs, lambda, print: (l) => process.stdout.write(`${l}\n`) });
      failed += r.failed;
    }
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((e: unknown) => {
  process.stderr.write(`redrive: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
