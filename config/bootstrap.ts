import { ENVIRONMENTS } from "./environments";

/**
 * Region of the once-per-account bootstrap: the Terraform state bucket, the GitHub OIDC provider and the CI
 * roles. Every environment keeps its state here, whatever region it runs in (TF_STATE_REGION overrides it).
 */
export const STATE_REGION = "eu-west-1";
/** The issuer of GitHub Actions' OIDC tokens (trust policies and the policy gate name it). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface BootstrapEnvironment {
  readonly name: string;
  /** Where the environment's resources live: its deploy role is scoped to this region. */
  readonly region: string;
}

export interface BootstrapConfig {
  readonly app: string;
  /** The bootstrap stack's own region (where the state bucket lives). */
  readonly region: string;
  /** GitHub repository allowed to assume the roles, "owner/name". */
  readonly githubRepository: string;
  /** Environments that get a deploy role (each bound to the GitHub environment of the same name). */
  readonly environments: readonly BootstrapEnvironment[];
  readonly tags: Readonly<Record<string, string>>;
}

/** Once-per-account settings, derived from the environments; DDN_GITHUB_REPOSITORY overrides the repository. */
export function loadBootstrapConfig(env: NodeJS.ProcessEnv = process.env): BootstrapConfig {
  const githubRepository = env.DDN_GITHUB_REPOSITORY || "example-org/ddn-file-pipeline";
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(githubRepository)) {
    throw new Error(`DDN_GITHUB_REPOSITORY must be "owner/name" (got "${githubRepository}")`);
  }
  const apps = new Set(Object.values(ENVIRONMENTS).map((c) => c.app));
  if (apps.size !== 1) throw new Error(`the bootstrap expects one app name for all environments (found ${[...apps].join(", ")})`);
  return {
    app: [...apps][0]!,
    region: STATE_REGION,
    githubRepository,
    environments: Object.values(ENVIRONMENTS).map((c) => ({ name: c.env, region: c.region })),
    tags: { project: "ddn-file-pipeline", "managed-by": "cdktf", component: "bootstrap" },
  };
}
