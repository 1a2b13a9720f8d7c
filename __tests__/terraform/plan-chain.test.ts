import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { STACK_PARTS } from "../../config";
import { planChain, type ChainResult } from "../../plan/plan-chain";
import { PLACEHOLDER_MARK } from "../../plan/planned-outputs";
import { OFFLINE_ACCOUNT } from "../../plan/offline-aws";
import { ENVIRONMENTS, expected, synthEnv, type Synthesized } from "../stacks/synth";
import { eachTerraformRun } from "../../plan/terraform-setup";
import { skipReason, terraformScratch } from "./terraform";

// Every stack of every environment through real Terraform and the real AWS provider: init, then an offline plan
// (which validates the configuration first) of the four stacks in dependency order (placeholder credentials, a loopback STS stand-in, each
// consumer reading its producers' planned outputs). Environments run in parallel; one provider for all.
const skip = skipReason("plan-chain.test.ts");
const maybe = skip ? describe.skip : describe;

maybe("terraform validate + offline plan chain", () => {
  const results = new Map<string, ChainResult>();
  const synths = new Map<string, Synthesized>();
  let scratch: Awaited<ReturnType<typeof terraformScratch>>;
  const log: string[] = [];

  beforeAll(async () => {
    scratch = await terraformScratch();
    const each = async (env: string) => {
      const s = synthEnv(env);
      synths.set(env, s);
      const workDir = path.join(scratch.work, env);
      mkdirSync(workDir);
      const { names } = expected(env);
      results.set(
        env,
        await planChain({
          outdir: s.outdir,
          stacks: STACK_PARTS.map((p) => names.stack(p)),
          workDir,
          setup: scratch.setup,
          cliConfigFile: scratch.cliConfigFile,
          offline: { awsEndpoint: scratch.awsEndpoint },
          json: "producers",
          log: (l) => log.push(`${env} ${l}`),
        }),
      );
    };
    await eachTerraformRun(scratch.setup.source, ENVIRONMENTS, each);
  }, 600_000);
  afterAll(async () => {
    synths.forEach((s) => s.cleanup());
    await scratch?.stop();
  });

  test.each(ENVIRONMENTS)("%s: every stack initializes, validates and plans (plan validates first), with no warnings", (env) => {
    const r = results.get(env)!;
    expect(r.plans.map((p) => p.stack)).toEqual(STACK_PARTS.map((p) => expected(env).names.stack(p)));
    for (const p of r.plans) expect({ stack: p.stack, warnings: p.warnings }).toEqual({ stack: p.stack, warnings: [] });
    expect(log.filter((l) => l.startsWith(`${env} `) && l.endsWith(": plan"))).toHaveLength(STACK_PARTS.length);
  });

  test.each(ENVIRONMENTS)("%s: on an empty account each plan creates exactly the synthesized resources", (env) => {
    for (const p of results.get(env)!.plans) {
      const declared = Object.values(synths.get(env)!.stacks[p.stack]!.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
      expect({ stack: p.stack, ...p.counts }).toEqual({ stack: p.stack, create: declared, update: 0, replace: 0, delete: 0 });
    }
  });

  test.each(ENVIRONMENTS)("%s: consumers see known producer values as they are and marked placeholders for the rest", (env) => {
    const { config, names } = expected(env);
    const [storage, iam, compute] = results.get(env)!.plans;
    // Bucket names are known at plan time (the account comes from the STS stand-in: the one the config names)...
    const account = config.account ?? OFFLINE_ACCOUNT;
    const bucket = `${names.prefix}-in-${account}-${config.region}`;
    expect(Object.values(storage!.outputs).map((o) => o.value)).toContain(bucket);
    expect(compute!.text).toContain(bucket);
    // ...bucket and role ARNs only after apply: the consumers were planned with ARN-shaped placeholders.
    expect(iam!.placeholders.length).toBeGreaterThan(0);
    expect(compute!.text).toMatch(new RegExp(`"arn:aws:iam::${account}:role/${PLACEHOLDER_MARK}-[a-z-]+-role"`));
    for (const o of Object.values(storage!.outputs)) if (o.placeholder) expect(String(o.value)).toContain(PLACEHOLDER_MARK);
  });

  test.each(ENVIRONMENTS)("%s: credentials of an account other than the one the config names are refused before anything is planned", async (env) => {
    const { config, names } = expected(env);
    const storage = names.stack("storage");
    const provider = synths.get(env)!.stacks[storage]!.provider!.aws[0];
    if (config.account === undefined) {
      // No account named: any credentials' account is planned in (as the chain above was, in OFFLINE_ACCOUNT).
      expect(provider.allowed_account_ids).toBeUndefined();
      return;
    }
    expect(provider.allowed_account_ids).toEqual([config.account]);
    const other = config.account === OFFLINE_ACCOUNT ? "111111111111" : OFFLINE_ACCOUNT;
    const workDir = path.join(scratch.work, `${env}-other-account`);
    mkdirSync(workDir);
    const refused = await planChain({
      outdir: synths.get(env)!.outdir,
      stacks: [storage],
      workDir,
      setup: scratch.setup,
      cliConfigFile: scratch.cliConfigFile,
      offline: { awsEndpoint: scratch.awsEndpoint, account: other },
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).toMatch(new RegExp(`^${storage}: terraform plan failed:[^]*AWS account ID not allowed: ${other}`, "i"));
    // Readable: Terraform quotes the configuration's line, all of the one-line cdk.tf.json, cut to its start.
    expect(Math.max(...refused!.message.split("\n").map((line) => line.length))).toBeLessThanOrEqual(300);
  }, 120_000);

  test("the provider version used is said when a local mirror lacks the pinned one", () => {
    const r = results.get(ENVIRONMENTS[0]!)!;
    if (r.providerVersion === r.pinnedVersion) return;
    expect(log.some((l) => l.includes(`hashicorp/aws ${r.pinnedVersion} is not in the local mirror`) && l.includes(`planning with ${r.providerVersion}`))).toBe(true);
  });
});
