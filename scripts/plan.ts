// `npm run plan [-- --env NAME] [--skip-synth]`: a whole-app plan of one environment that works
// before anything is deployed. Synthesizes, then plans storage -> iam -> compute -> api, each consumer against its
// producers' *planned* outputs. Offline (no account) unless TF_STATE_BUCKET and AWS credentials are both set.
// Writes cdktf.out/plans/ (summary.md, <stack>.txt, <stack>.json) only when every stack planned. Progress on stderr.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DEFAULT_ENV, loadConfig, naming, STACK_PARTS } from "../config";
import { unreplacedAt } from "../config/placeholder";
import { PlanError, planChain } from "../plan/plan-chain";
import { bootstrappedAccount } from "../plan/bootstrapped-account";
import { startOfflineAws } from "../plan/offline-aws";
import { markdownSummary, terminalSummary } from "../plan/summary";
import { detectTerraform, writeCliConfig } from "../plan/terraform-setup";
import { writeAtomically } from "../synth/atomic-outdir";
import { PROJECT_ROOT, SYNTH_ARGS } from "../pipeline/project-root";

const progress = (line: string) => process.stderr.write(`[plan] ${line}\n`);

function fail(message: string, code = 1): never {
  process.stderr.write(`plan failed: ${message}\n`);
  process.exit(code);
}

function parseArgs(argv: string[]): { env: string; skipSynth: boolean } {
  const out = { env: process.env.DDN_ENV || DEFAULT_ENV, skipSynth: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--env") out.env = argv[++i] ?? fail("--env needs a name", 2);
    else if (a === "--skip-synth") out.skipSynth = true;
    else fail(`unknown argument "${a}" (usage: npm run plan -- [--env NAME] [--skip-synth])`, 2);
  }
  return out;
}

const hasCredentials = (env: NodeJS.ProcessEnv) =>
  Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let config;
  try {
    config = loadConfig(args.env);
  } catch (e) {
    fail((e as Error).message, 2);
  }
  const names = naming(config);
  const offline = !(process.env.TF_STATE_BUCKET && hasCredentials(process.env));
  // No credentials can pass the provider's account check (allowed_account_ids) while it names the example account.
  const exampleAccount = unreplacedAt(config, "account");
  if (!offline && exampleAccount) {
    fail(`${args.env}'s account is an example value (${exampleAccount.value}): replace it in config/environments.ts to plan against AWS. Offline (without TF_STATE_BUCKET) it plans as that account.`);
  }
  const outdir = path.resolve(process.env.CDKTF_OUTDIR || path.join(PROJECT_ROOT, "cdktf.out"));
  const setup = detectTerraform();
  if ("unavailable" in setup) fail(`cannot run Terraform: ${setup.unavailable}`);

  if (!args.skipSynth) {
    progress(`synthesizing ${names.prefix}`);
    const r = spawnSync(process.execPath, [...SYNTH_ARGS], { cwd: PROJECT_ROOT, env: { ...process.env, DDN_ENV: args.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    if (r.status !== 0) fail(`synth of ${names.prefix} failed:\n${r.stderr.trim()}`);
  }
  const stacks = STACK_PARTS.map((part) => names.stack(part));
  for (const s of stacks) if (!existsSync(path.join(outdir, "stacks", s, "cdk.tf.json"))) fail(`${s} is not synthesized in ${outdir} (run without --skip-synth)`);

  progress(offline ? "offline plan: placeholder credentials, a loopback STS/IAM stand-in (an account the bootstrap ran in), no deployed state" : `planning against the state in s3://${process.env.TF_STATE_BUCKET}`);
  progress(setup.source.kind === "mirror" ? `hashicorp/aws from the local mirror ${setup.source.dir}` : "hashicorp/aws from the registry");

  const work = mkdtempSync(path.join(tmpdir(), "ddn-plan-"));
  let refused: string | undefined;
  // Offline, the account is one the bootstrap ran in (the logs role of this region, the deploy role, the boundary).
  const sts = offline ? await startOfflineAws(bootstrappedAccount([config])) : undefined;
  try {
    const cliConfigFile = path.join(work, "terraform.tfrc");
    writeCliConfig(cliConfigFile, setup.source, process.env.TF_PLUGIN_CACHE_DIR || path.join(work, "plugin-cache"));
    const result = await planChain({ outdir, stacks, workDir: work, setup, cliConfigFile, ...(sts ? { offline: { awsEndpoint: sts.endpoint } } : {}), json: "all", log: progress });
    const context = { env: args.env, mode: offline ? ("offline" as const) : ("account" as const), terraformVersion: setup.terraformVersion };
    const markdown = markdownSummary(result, context);
    writeAtomically(path.join(outdir, "plans"), (staging) => {
      writeFileSync(path.join(staging, "summary.md"), markdown);
      for (const p of result.plans) {
        writeFileSync(path.join(staging, `${p.stack}.txt`), p.text);
        if (p.json) writeFileSync(path.join(staging, `${p.stack}.json`), p.json);
      }
    });
    process.stdout.write(terminalSummary(result, context));
    process.stdout.write(`Plans: ${path.relative(process.cwd(), path.join(outdir, "plans"))}/ (summary.md, <stack>.txt, <stack>.json)\n`);
  } catch (e) {
    // Not fail() here: process.exit would skip the finally below and leave the scratch directory behind.
    if (e instanceof PlanError) refused = `${e.message}\n(nothing was written to ${path.join(outdir, "plans")})`;
    else throw e;
  } finally {
    await sts?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  if (refused) fail(refused);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.stack ?? e.message : String(e)));
