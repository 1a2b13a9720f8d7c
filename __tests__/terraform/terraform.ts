import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startOfflineAws } from "../../plan/offline-aws";
import { environmentNames, loadConfig } from "../../config";
import { bootstrappedAccount } from "../../plan/bootstrapped-account";
import { detectTerraform, writeCliConfig, type TerraformSetup } from "../../plan/terraform-setup";

/**
 * Real Terraform for the tests: the terraform binary and the AWS provider from a local mirror or the registry.
 * Where neither is available the caller skips visibly with this reason.
 */
export const TERRAFORM = detectTerraform();
export const UNAVAILABLE = "unavailable" in TERRAFORM ? TERRAFORM.unavailable : undefined;

export function skipReason(file: string): boolean {
  if (UNAVAILABLE) process.stderr.write(`${file}: SKIPPED — ${UNAVAILABLE}\n`);
  return UNAVAILABLE !== undefined;
}

/**
 * One scratch directory, CLI config and offline AWS for a test file; `stop()` removes them. The account is
 * bootstrapped for every environment unless told: `bootstrapped: false`, never; a number, bootstrapped while the
 * permissions boundary was at that revision.
 */
export async function terraformScratch(options: { bootstrapped?: boolean | number } = {}): Promise<{ setup: TerraformSetup; work: string; cliConfigFile: string; awsEndpoint: string; stop(): Promise<void> }> {
  const setup = TERRAFORM as TerraformSetup;
  const work = mkdtempSync(path.join(tmpdir(), "ddn-tf-test-"));
  const cliConfigFile = path.join(work, "terraform.tfrc");
  // With the registry, a CI-provided TF_PLUGIN_CACHE_DIR is reused (one download for every test and run).
  writeCliConfig(cliConfigFile, setup.source, process.env.TF_PLUGIN_CACHE_DIR || path.join(work, "plugin-cache"));
  const { bootstrapped = true } = options;
  const configs = environmentNames().map((e) => loadConfig(e));
  const sts = await startOfflineAws(bootstrapped === false ? {} : bootstrappedAccount(configs, typeof bootstrapped === "number" ? bootstrapped : undefined));
  return {
    setup,
    work,
    cliConfigFile,
    awsEndpoint: sts.endpoint,
    async stop() {
      await sts.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
