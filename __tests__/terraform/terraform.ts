import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startStsStandIn } from "../../plan/sts-stand-in";
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

/** One scratch directory, CLI config and STS stand-in for a test file; `stop()` removes them. */
export async function terraformScratch(): Promise<{ setup: TerraformSetup; work: string; cliConfigFile: string; stsEndpoint: string; stop(): Promise<void> }> {
  const setup = TERRAFORM as TerraformSetup;
  const work = mkdtempSync(path.join(tmpdir(), "ddn-tf-test-"));
  const cliConfigFile = path.join(work, "terraform.tfrc");
  // With the registry, a CI-provided TF_PLUGIN_CACHE_DIR is reused (one download for every test and run).
  writeCliConfig(cliConfigFile, setup.source, process.env.TF_PLUGIN_CACHE_DIR || path.join(work, "plugin-cache"));
  const sts = await startStsStandIn();
  return {
    setup,
    work,
    cliConfigFile,
    stsEndpoint: sts.endpoint,
    async stop() {
      await sts.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
