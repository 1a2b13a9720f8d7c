import { spawn } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { plannedOutputs, writeOutputsState, type PlannedOutput } from "./planned-outputs";
import { OFFLINE_ACCOUNT, offlineAccessKey } from "./offline-aws";
import { compareVersions, eachTerraformRun, type TerraformSetup } from "./terraform-setup";

export interface ChangeCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

export interface StackPlan {
  readonly stack: string;
  readonly counts: ChangeCounts;
  /** Addresses Terraform will destroy and re-create. */
  readonly replaced: readonly string[];
  /** Producer outputs this stack was planned against as placeholders: "<producer>: <output>". */
  readonly placeholders: readonly string[];
  readonly warnings: readonly string[];
  /** The plan as Terraform prints it (plain text, no color). */
  readonly text: string;
  /** `terraform show -json` of the saved plan (absent when nothing needed it; see ChainOptions.json). */
  readonly json?: string;
  readonly outputs: Readonly<Record<string, PlannedOutput>>;
}

export interface ChainOptions {
  /** A synthesized cdktf.out (manifest.json + stacks/). */
  readonly outdir: string;
  /** Stack names in dependency order. */
  readonly stacks: readonly string[];
  /** Scratch directory: each stack is planned in a copy under it. */
  readonly workDir: string;
  readonly setup: TerraformSetup;
  readonly cliConfigFile: string;
  /**
   * Offline: placeholder credentials, the STS stand-in, local state. Absent: the real account and backend. The
   * credentials are in `account`, by default the one each stack's provider allows (else OFFLINE_ACCOUNT).
   */
  readonly offline?: { readonly awsEndpoint: string; readonly account?: string };
  readonly log?: (line: string) => void;
  /**
   * Render every plan as JSON too ("all", for the plans directory), or only the plans whose outputs a later stack
   * reads ("producers"): each rendering costs ~4 s of CPU loading the AWS provider's schema.
   */
  readonly json?: "all" | "producers";
}

export class PlanError extends Error {
  constructor(readonly stackName: string, message: string) {
    super(`${stackName}: ${message}`);
    this.name = "PlanError";
  }
}

const REMOTE_STATE = "cross-stack-reference-input-";

/**
 * Terraform's output for a person to read. Pitfall: a diagnostic quotes the configuration's line, and cdk.tf.json is
 * one line (~10 KB of JSON), so each such quote is cut to its start.
 */
const readable = (output: string): string =>
  output
    .split("\n")
    .map((line) => (line.length > 300 ? `${line.slice(0, 200)} … (${line.length} characters)` : line))
    .join("\n");

function terraform(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("terraform", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status: status ?? 1, stdout, stderr }));
  });
}

const describe = (c: ChangeCounts, placeholders: number) =>
  `${c.create} to add, ${c.update} to change, ${c.replace} to replace, ${c.delete} to destroy${placeholders ? `; ${placeholders} placeholder input(s)` : ""}`;

/**
 * Counts from Terraform's own plan text ("Plan: 3 to add, 1 to change, 2 to destroy." and "# <address> must be
 * replaced"): a replacement counts there as one add and one destroy, here as one replace.
 */
export function changesIn(text: string): { counts: ChangeCounts; replaced: string[] } {
  const replaced = [...text.matchAll(/^\s*# (\S+) must be replaced$/gm)].map((m) => m[1]!);
  const m = /^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\.$/m.exec(text);
  if (!m) {
    if (/^No changes\./m.test(text)) return { counts: { create: 0, update: 0, replace: 0, delete: 0 }, replaced };
    throw new Error("the plan output has no \"Plan:\" line");
  }
  const [add, change, destroy] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { counts: { create: add - replaced.length, update: change, replace: replaced.length, delete: destroy - replaced.length }, replaced };
}

/** The producer outputs a stack reads that were planned as placeholders: "<producer>: <output>". */
function placeholdersOf(config: unknown, planned: ReadonlyMap<string, { outputs: Record<string, PlannedOutput> }>): string[] {
  const text = JSON.stringify(config);
  return [...new Set([...text.matchAll(/terraform_remote_state\.cross-stack-reference-input-([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)].map((m) => `${m[1]}: ${m[2]}`))]
    .filter((k) => {
      const [producer, output] = k.split(": ") as [string, string];
      return planned.get(producer)?.outputs[output]?.placeholder === true;
    })
    .sort();
}

/** "Warning: <summary>" lines of Terraform's diagnostics (boxed or not). */
export function warningsIn(output: string): string[] {
  return [...output.matchAll(/^[│|\s]*Warning: (.+)$/gm)].map((m) => m[1]!.trim());
}

/** The exact provider version to plan with: the pin when available, else the mirror's newest (said aloud). */
function providerVersion(setup: TerraformSetup, pinned: string, log: (line: string) => void): string {
  if (setup.source.kind === "registry" || setup.source.versions.includes(pinned)) return pinned;
  const chosen = [...setup.source.versions].sort(compareVersions).pop()!;
  log(`hashicorp/aws ${pinned} is not in the local mirror ${setup.source.dir}; planning with ${chosen} (the constraint is changed in the plan's working copy only)`);
  return chosen;
}

/**
 * Plans stacks in dependency order. Each consumer's terraform_remote_state reads a state file holding its
 * producers' *planned* outputs (known values as they are, marked placeholders for values known only after
 * apply), never deployed ones: a plan exists before anything is deployed, and a new cross-stack output is
 * planned like any other value.
 */
export interface ChainResult {
  readonly plans: readonly StackPlan[];
  /** The hashicorp/aws version the plans used (the pin, unless a local mirror only has another). */
  readonly providerVersion: string | undefined;
  readonly pinnedVersion: string | undefined;
}

export async function planChain(o: ChainOptions): Promise<ChainResult> {
  const log = o.log ?? (() => undefined);
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: o.cliConfigFile, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_INPUT: "0" };
  if (o.setup.source.kind === "mirror") delete env.TF_PLUGIN_CACHE_DIR; // the mirror is the cache
  if (o.offline) Object.assign(env, { AWS_ACCESS_KEY_ID: "offline-plan", AWS_SECRET_ACCESS_KEY: "offline-plan", AWS_EC2_METADATA_DISABLED: "true" });
  const plans: StackPlan[] = [];
  const outputsFiles = new Map<string, { file: string; outputs: Record<string, PlannedOutput> }>();
  let version: string | undefined;
  let pinned: string | undefined;

  const outputsFile = (stack: string) => path.join(o.workDir, `${stack}.planned-outputs.tfstate`);
  const run = async (stack: string, label: string, args: string[]) => {
    log(`${stack}: ${label}`);
    const r = await terraform(path.join(o.workDir, stack), args, env);
    if (r.status !== 0) throw new PlanError(stack, `terraform ${args[0]} failed:\n${readable((r.stderr || r.stdout).trim())}`);
    return r;
  };

  // Every working copy is prepared and initialized up front (init needs no producer output, only its path).
  const prepared = o.stacks.map((stack, index) => {
    const dir = path.join(o.workDir, stack);
    cpSync(path.join(o.outdir, "stacks", stack), dir, { recursive: true });
    const configFile = path.join(dir, "cdk.tf.json");
    const config = JSON.parse(readFileSync(configFile, "utf8"));
    const aws = config.terraform?.required_providers?.aws;
    if (aws?.version) {
      pinned ??= String(aws.version);
      version ??= providerVersion(o.setup, pinned, log);
      aws.version = version;
      writeFileSync(configFile, JSON.stringify(config));
    }
    // One block per provider configuration: the default, and aliases (the bootstrap has one per region).
    const providers = [config.provider?.aws ?? []].flat() as Array<{ alias?: string; region?: string; allowed_account_ids?: string[] }>;
    const provider = providers.find((p) => p.alias === undefined) ?? providers[0];
    const region = String(provider?.region ?? "us-east-1");

    const override: Record<string, unknown> = {};
    const remote = Object.keys(config.data?.terraform_remote_state ?? {});
    if (remote.length > 0) {
      override.data = {
        terraform_remote_state: Object.fromEntries(
          remote.map((name) => {
            const producer = name.startsWith(REMOTE_STATE) ? name.slice(REMOTE_STATE.length) : name;
            if (!o.stacks.slice(0, index).includes(producer)) throw new PlanError(stack, `reads the outputs of ${producer}, which is not planned before it`);
            return [name, { backend: "local", config: { path: outputsFile(producer) } }];
          }),
        ),
      };
    }
    if (o.offline) {
      const offline = {
        access_key: offlineAccessKey(o.offline.account ?? provider?.allowed_account_ids?.[0] ?? OFFLINE_ACCOUNT),
        secret_key: "offline-plan",
        skip_credentials_validation: true,
        // The account is asked for (the stand-in answers the key's), so allowed_account_ids is checked as in AWS.
        skip_requesting_account_id: false,
        skip_metadata_api_check: true,
        // SSM too, which the stand-in refuses: the plan role may not read a parameter, so an offline plan that
        // tried fails as it would in AWS.
        endpoints: [{ sts: o.offline.awsEndpoint, iam: o.offline.awsEndpoint, ssm: o.offline.awsEndpoint }],
      };
      // Terraform merges override blocks by provider name and alias: each configuration gets the offline settings.
      override.provider = { aws: providers.map((p) => ({ ...(p.alias ? { alias: p.alias } : {}), ...offline })) };
      override.terraform = { backend: { local: { path: path.join(o.workDir, `${stack}.tfstate`) } } };
    }
    writeFileSync(path.join(dir, "zz_plan_override.tf.json"), JSON.stringify(override, null, 2));
    return { stack, config, region };
  });
  await eachTerraformRun(o.setup.source, prepared, (p) => run(p.stack, "init", ["init", "-input=false", "-no-color"]));

  for (const { stack, config, region } of prepared) {
    const step = (label: string, args: string[]) => run(stack, label, args);
    const warnings: string[] = [];
    // No separate `terraform validate`: plan runs the same validation first (same errors and warnings), and every
    // extra command costs ~4 s of CPU loading the AWS provider's schema.
    const plan = await step("plan", ["plan", "-input=false", "-no-color", "-out=plan.bin", ...(o.offline ? ["-lock=false"] : [])]);
    warnings.push(...warningsIn(plan.stdout + plan.stderr));
    const { counts, replaced } = changesIn(plan.stdout);
    const consumed = o.stacks.slice(o.stacks.indexOf(stack) + 1).length > 0;
    if (!consumed && o.json === "producers") {
      plans.push({ stack, counts, replaced, placeholders: placeholdersOf(config, outputsFiles), warnings, text: plan.stdout, outputs: {} });
      log(`${stack}: ${describe(counts, plans[plans.length - 1]!.placeholders.length)}`);
      continue;
    }
    const shown = await step("show", ["show", "-json", "plan.bin"]);
    const json = JSON.parse(shown.stdout);
    const identity = ((json.prior_state?.values?.root_module?.resources ?? []) as Array<{ type: string; values?: { account_id?: string; partition?: string } }>);
    const account = identity.find((r) => r.type === "aws_caller_identity")?.values?.account_id ?? OFFLINE_ACCOUNT;
    const partition = identity.find((r) => r.type === "aws_partition")?.values?.partition ?? "aws";
    let outputs: Record<string, PlannedOutput>;
    try {
      const expressions = Object.fromEntries(Object.entries(config.output ?? {}).map(([k, v]) => [k, (v as { value: unknown }).value]));
      outputs = plannedOutputs(json.output_changes ?? {}, expressions, { partition, region, account });
    } catch (e) {
      throw new PlanError(stack, (e as Error).message);
    }
    const file = outputsFile(stack);
    writeOutputsState(file, outputs, o.setup.terraformVersion, `planned-${stack}`);
    outputsFiles.set(stack, { file, outputs });

    const placeholders = placeholdersOf(config, outputsFiles);
    plans.push({ stack, counts, replaced, placeholders, warnings, text: plan.stdout, json: shown.stdout, outputs });
    log(`${stack}: ${describe(counts, placeholders.length)}`);
  }
  return { plans, providerVersion: version, pinnedVersion: pinned };
}
