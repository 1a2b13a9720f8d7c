import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { bootstrapAccounts, describeAccount, loadBootstrapConfig } from "../../config/bootstrap";
import { OFFLINE_ACCOUNT } from "../../plan/offline-aws";
import { planChain, type ChainResult } from "../../plan/plan-chain";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { eachTerraformRun } from "../../plan/terraform-setup";
import { skipReason, terraformScratch } from "./terraform";

// The bootstrap is the first thing a user applies, by hand: each account's bootstrap through real Terraform and the
// real AWS provider (init, an offline plan that validates first), its region providers included.
const skip = skipReason("bootstrap-plan.test.ts");
const maybe = skip ? describe.skip : describe;
const STACK = "ddn-bootstrap";
const ACCOUNTS = bootstrapAccounts();

maybe("bootstrap stack: terraform validate + offline plan, one per account", () => {
  const outdirs = new Map<string | undefined, string>();
  const results = new Map<string | undefined, ChainResult>();
  let scratch: Awaited<ReturnType<typeof terraformScratch>>;

  const plan = (account: string | undefined, workName: string, credentials?: string) => {
    const workDir = path.join(scratch.work, workName);
    mkdirSync(workDir);
    return planChain({
      outdir: outdirs.get(account)!,
      stacks: [STACK],
      workDir,
      setup: scratch.setup,
      cliConfigFile: scratch.cliConfigFile,
      offline: { awsEndpoint: scratch.awsEndpoint, ...(credentials ? { account: credentials } : {}) },
      json: "producers",
    });
  };

  beforeAll(async () => {
    scratch = await terraformScratch({ bootstrapped: false });
    for (const account of ACCOUNTS) {
      const outdir = mkdtempSync(path.join(tmpdir(), "ddn-bootstrap-"));
      const app = new App({ outdir });
      new BootstrapStack(app, STACK, loadBootstrapConfig(account ? { DDN_BOOTSTRAP_ACCOUNT: account } : {}));
      app.synth();
      outdirs.set(account, outdir);
    }
    await eachTerraformRun(scratch.setup.source, ACCOUNTS, async (account, i) => results.set(account, await plan(account, `bootstrap-${i}`)));
  }, 600_000);
  afterAll(async () => {
    for (const dir of outdirs.values()) rmSync(dir, { recursive: true, force: true });
    await scratch?.stop();
  });

  const synthesized = (account: string | undefined) => JSON.parse(readFileSync(path.join(outdirs.get(account)!, "stacks", STACK, "cdk.tf.json"), "utf8"));

  test.each(ACCOUNTS.map(describeAccount))("%s: validates and plans with no warnings, creating exactly the synthesized resources", (name) => {
    const account = ACCOUNTS.find((a) => describeAccount(a) === name);
    const [p] = results.get(account)!.plans;
    const declared = Object.values<Record<string, unknown>>(synthesized(account).resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
    expect({ warnings: p!.warnings, ...p!.counts }).toEqual({ warnings: [], create: declared, update: 0, replace: 0, delete: 0 });
  });

  test.each(ACCOUNTS.filter((a) => a !== undefined))("account %s: credentials of another account are refused (every region's provider names the account)", async (account) => {
    const providers = [synthesized(account).provider.aws].flat();
    expect(providers.map((p: { allowed_account_ids?: string[] }) => p.allowed_account_ids)).toEqual(providers.map(() => [account]));
    const other = account === OFFLINE_ACCOUNT ? "111111111111" : OFFLINE_ACCOUNT;
    const refused = await plan(account, `other-than-${account}`, other).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).toMatch(new RegExp(`^${STACK}: terraform plan failed:[^]*AWS account ID not allowed: ${other}`, "i"));
  }, 120_000);
});
