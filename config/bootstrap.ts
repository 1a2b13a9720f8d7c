import { environmentNames, loadConfig, type EnvironmentConfig } from "./index";
import { unreplacedAt } from "./placeholder";
import { ACCOUNT_ID } from "./validate";

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
  /** Secrets generated for the environment (SSM SecureString parameters, in its region), created by the bootstrap. */
  readonly generatedSecrets: readonly GeneratedSecretSpec[];
}

export interface GeneratedSecretSpec {
  /** The parameter's full name. */
  readonly name: string;
  readonly description: string;
}

export interface BootstrapConfig {
  readonly app: string;
  /**
   * The account this bootstrap is for (DDN_BOOTSTRAP_ACCOUNT): its environments are those that name it, and the
   * provider refuses credentials of any other account. Unset: the environments that name no account.
   */
  readonly account?: string;
  /** The bootstrap stack's own region (where the state bucket lives). */
  readonly region: string;
  /** GitHub repository allowed to assume the roles, "owner/name". */
  readonly githubRepository: string;
  /** Environments that get a deploy role (each bound to the GitHub environment of the same name). */
  readonly environments: readonly BootstrapEnvironment[];
  readonly tags: Readonly<Record<string, string>>;
}

/** Names the bootstrap gives what it creates in an account; CI derives an account's roles and bucket from them. */
export const bootstrapNames = (app: string) => ({
  stateBucket: (account: string) => `${app}-tfstate-${account}-${STATE_REGION}`,
  planRole: `${app}-github-plan`,
  deployRole: (env: string) => `${app}-github-deploy-${env}`,
});

/** The ARN partition of a region (aws, aws-cn, aws-us-gov): CI names roles before any AWS call could tell it. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/**
 * The bootstraps the environments need, one per account: each named account, and `undefined` (whatever account the
 * bootstrap runs in) when an environment names none. Sorted, the unnamed one first.
 */
export function bootstrapAccounts(): (string | undefined)[] {
  const accounts = environmentNames().map((e) => loadConfig(e).account);
  const named = [...new Set(accounts.filter((a) => a !== undefined))].sort();
  return accounts.includes(undefined) ? [undefined, ...named] : named;
}

/** The command that synthesizes the bootstrap of `account` (see bootstrapAccounts). */
export const bootstrapCommand = (account: string | undefined) => `${account ? `DDN_BOOTSTRAP_ACCOUNT=${account} ` : ""}npm run bootstrap:synth`;

/**
 * Where the pull-request workflow plans an environment. One that names its account: with that account's plan role
 * and state bucket (the bootstrap's names). One that names none: with the repository's variables (empty here). One
 * whose account is still an example value is not planned against AWS (`skip`): no credentials could pass its check.
 */
export interface PlanTarget {
  readonly env: string;
  readonly planRole: string;
  readonly stateBucket: string;
  readonly skip: string;
}

export function planTarget(c: EnvironmentConfig): PlanTarget {
  const target = { env: c.env, planRole: "", stateBucket: "", skip: "" };
  if (!c.account) return target;
  if (unreplacedAt(c, "account")) {
    return { ...target, skip: `its account (${c.account}) is an example value in config/environments.ts: planned offline only, by the check job's tests` };
  }
  const names = bootstrapNames(c.app);
  return { ...target, planRole: `arn:${partitionOf(c.region)}:iam::${c.account}:role/${names.planRole}`, stateBucket: names.stateBucket(c.account) };
}

/** "account <id>", or "no account" for the bootstrap of the environments that name none. */
export const describeAccount = (account: string | undefined) => (account ? `account ${account}` : "no account");

/**
 * Once-per-account settings, derived from the environments. Pitfall: one bootstrap for every environment put each
 * environment's deploy role (and its region's account setting) into every account it ran in, so a dev CI role could
 * write in prod's account. DDN_BOOTSTRAP_ACCOUNT picks the environments that name that account; unset, those that
 * name none. DDN_GITHUB_REPOSITORY overrides the repository.
 */
export function loadBootstrapConfig(env: NodeJS.ProcessEnv = process.env): BootstrapConfig {
  const githubRepository = env.DDN_GITHUB_REPOSITORY || "example-org/ddn-file-pipeline";
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(githubRepository)) {
    throw new Error(`DDN_GITHUB_REPOSITORY must be "owner/name" (got "${githubRepository}")`);
  }
  const account = env.DDN_BOOTSTRAP_ACCOUNT || undefined;
  if (account !== undefined && !ACCOUNT_ID.test(account)) throw new Error(`DDN_BOOTSTRAP_ACCOUNT must be a 12-digit AWS account id (got "${account}")`);
  const configs = environmentNames().map((e) => loadConfig(e));
  const apps = new Set(configs.map((c) => c.app));
  if (apps.size !== 1) throw new Error(`the bootstrap expects one app name for all environments (found ${[...apps].join(", ")})`);
  const mine = configs.filter((c) => c.account === account);
  if (mine.length === 0) {
    throw new Error(`no environment names ${describeAccount(account)} (config/environments.ts); the environments' bootstraps: ${bootstrapAccounts().map(bootstrapCommand).join("; ")}`);
  }
  return {
    app: [...apps][0]!,
    ...(account ? { account } : {}),
    region: STATE_REGION,
    githubRepository,
    environments: mine.map((c) => ({
      name: c.env,
      region: c.region,
      generatedSecrets:
        c.api.auth.enabled && c.api.auth.jwtSecretParam
          ? [{ name: c.api.auth.jwtSecretParam, description: `HS256 secret the ${c.env} authorizer verifies tokens with (generated once, never in Terraform state)` }]
          : [],
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

/** The boundary's tag holding its revision (BOUNDARY_REVISION when the bootstrap applied it), read by every plan. */
export const BOUNDARY_REVISION_TAG = "boundary-revision";
