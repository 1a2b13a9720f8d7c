import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { naming, type EnvironmentConfig, type Naming } from "../config";
import { STATE_REGION } from "../config/bootstrap";
import type { PipelineFunction } from "../pipeline/function-declaration";
import { PolicyGate } from "../policy/gate";
import { gateOptions } from "../policy/gate-options";
import { PreparedFragments } from "./prepared-fragments";
import type { StateBackendSettings } from "./state-backend";

export interface PipelineStackProps {
  readonly config: EnvironmentConfig;
  readonly backend: StateBackendSettings;
  /** The declared functions: the policy gate derives the routes it must see protected and validated from them. */
  readonly functions: readonly PipelineFunction[];
}

/**
 * What every stack of the pipeline shares: the AWS provider with default tags, the state backend, and the
 * policy gate that checks the stack's synthesized JSON before it is written.
 */
export abstract class PipelineStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly names: Naming;
  readonly policyGate: PolicyGate;
  private readonly prepared = new PreparedFragments();

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id);
    this.config = props.config;
    this.names = naming(props.config);
    this.policyGate = new PolicyGate(this, gateOptions(props.config, props.functions));
    this.node.addValidation(this.policyGate);
    new AwsProvider(this, "aws", {
      region: props.config.region,
      // Credentials of another account (a prod deploy from a shell still signed in to dev) fail before anything.
      ...(props.config.account ? { allowedAccountIds: [props.config.account] } : {}),
      defaultTags: [{ tags: { ...props.config.tags } }],
    });
    if (props.backend.bucket) {
      new S3Backend(this, {
        bucket: props.backend.bucket,
        key: `${props.config.app}/${props.config.env}/${id}.tfstate`,
        region: props.backend.region ?? STATE_REGION,
        encrypt: true,
      });
      // S3-native locking (Terraform >= 1.10); the cdktf 0.21 S3Backend type predates the flag.
      this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else {
      // Relative to the stack's working directory (cdktf.out/stacks/<stack>): the project root, as cdktf's
      // default, but without baking this machine's absolute path into the synthesized JSON.
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    }
  }

  /** cdktf's preparing pass, its results kept for the next toTerraform (see PreparedFragments). */
  override prepareStack(): void {
    this.prepared.prepare(this);
  }

  /**
   * What cdktf writes: the JSON the policy gate just checked, when it did (one resolution of the stack fewer);
   * otherwise the stack assembled from the prepared fragments without resolving them again, which are then
   * released (cdktf's own method where the assembly cannot stand in for it).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf's own signature
  override toTerraform(): any {
    const passed = this.policyGate.takePassed();
    if (passed) return passed;
    try {
      return this.prepared.assemble(this) ?? super.toTerraform();
    } finally {
      this.prepared.release();
    }
  }
}
