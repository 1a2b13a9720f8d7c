import { STATE_REGION } from "../config/bootstrap";

// Where the stacks keep Terraform state, as the process environment names it: a module of its own, so that reading
// it loads no cdktf.

export interface StateBackendSettings {
  /** S3 bucket for remote state; when absent, state is local (terraform.<stack>.tfstate at the project root). */
  readonly bucket?: string;
  /** The state bucket's region (the bootstrap's), independent of the environment's own region. */
  readonly region?: string;
}

/** TF_STATE_BUCKET (remote state) and TF_STATE_REGION (default: the bootstrap's region). */
export function stateBackendFromEnv(env: NodeJS.ProcessEnv = process.env): StateBackendSettings {
  return env.TF_STATE_BUCKET ? { bucket: env.TF_STATE_BUCKET, region: env.TF_STATE_REGION || STATE_REGION } : {};
}
