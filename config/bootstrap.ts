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
  /** SSM parameters the environment's stacks create (generated secrets), by full name. */
  readonly parameters: readonly string[];
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
    environments: Object.values(ENVIRONMENTS).map((c) => ({
      name: c.env,
      region: c.region,
      parameters: c.api.auth.enabled && c.api.auth.jwtSecretParam ? [c.api.auth.jwtSecretParam] : [],
    })),
    tags: { project: "ddn-file-pipeline", "managed-by": "cdktf", component: "bootstrap" },
  };
}

/** IAM path of the roles the bootstrap creates for account- and region-wide settings. */
export const ACCOUNT_ROLE_PATH = "/account-settings/";

/**
 * The role API Gateway writes CloudWatch logs with in `region` (the account setting every stage with logging
 * needs). The bootstrap creates it with the setting; every API stack checks at plan time that it exists.
 */
export function apiGatewayLogsRoleName(app: string, region: string): string {
  return `${app}-apigateway-logs-${region}`;
}

/**
 * The permissions boundary every role an environment's deploy creates must carry: the ceiling of what the
 * pipeline's functions may ever do, whatever policy the deploy writes into their roles.
 */
export function permissionsBoundaryName(app: string, env: string): string {
  return `${app}-${env}-boundary`;
}
