import { randomBytes } from "node:crypto";
import { environmentNames, loadConfig, type EnvironmentConfig } from "../config";
import { permissionsBoundaryName } from "../config/bootstrap";
import { boundaryStatements } from "../constructs/deploy-role-policy";
import type { PolicyStatement } from "../constructs/policy-document";
import { evaluate, type IamRequest } from "../policy/iam-evaluation";
import { LOCAL_ACCOUNT, LOCAL_PARTITION, type SynthesizedApp } from "../synth/synthesized-app";

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where the stand-ins' buckets, table, parameters and queues are when no region is given. */
export const DEFAULT_LOCAL_REGION = "us-east-1";

/** The operator's key pair (tests, npm run redrive): an administrator, as the account owner is. */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

/** A role's session as Lambda gives it to a function: temporary credentials, the role's policy, its boundary. */
interface RoleSession {
  readonly arn: string;
  readonly credentials: Required<LocalCredentials>;
  readonly statements: readonly PolicyStatement[];
  /** The permissions boundary's statements; undefined when the role has none. */
  readonly boundary?: readonly PolicyStatement[];
}

export type Refusal =
  | { readonly code: "InvalidToken"; readonly message: string }
  | { readonly code: "AccessDenied"; readonly message: string; readonly request: IamRequest };

const base32 = (bytes: number) => [...randomBytes(bytes)].map((b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[b % 32]).join("");

/** Why IAM refused, worded as AWS words it ("... because no identity-based policy allows the s3:PutObject action"). */
function denial(session: RoleSession, request: IamRequest): Refusal | undefined {
  const identity = evaluate(session.statements, request);
  const boundary = session.boundary ? evaluate(session.boundary, request) : "allow";
  const reason =
    identity === "explicit-deny" ? "with an explicit deny in an identity-based policy"
    : boundary === "explicit-deny" ? "with an explicit deny in a permissions boundary"
    : identity === "implicit-deny" ? `because no identity-based policy allows the ${request.action} action`
    : boundary === "implicit-deny" ? `because no permissions boundary allows the ${request.action} action`
    : undefined;
  if (!reason) return undefined;
  return { code: "AccessDenied", request, message: `User: ${session.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} ${reason}` };
}

/**
 * IAM for the local stand-ins: who a key belongs to, and whether its policies allow a request. Each function runs
 * with its own role's temporary credentials, so a call its role (or the role's permissions boundary) does not
 * allow is refused here as AWS refuses it, and a presigned URL carries its signer's permissions to whoever uses it.
 * The operator's key may do anything.
 */
export class LocalIam {
  private readonly sessions = new Map<string, RoleSession>();
  private readonly keyWatchers = new Set<(credentials: LocalCredentials) => void>();

  /** Temporary credentials for a session of `role`, allowed what `statements` allow within `boundary`. */
  assumeRole(role: string, session: string, statements: readonly PolicyStatement[], boundary?: readonly PolicyStatement[]): Required<LocalCredentials> {
    const credentials = { accessKeyId: `ASIA${base32(16)}`, secretAccessKey: randomBytes(30).toString("base64"), sessionToken: randomBytes(48).toString("base64") };
    this.sessions.set(credentials.accessKeyId, { arn: `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${role}/${session}`, credentials, statements, ...(boundary ? { boundary } : {}) });
    for (const watcher of this.keyWatchers) watcher(credentials);
    return credentials;
  }

  /**
   * Calls `watcher` with the key pair of every role session, present and future (for a server that keeps its own
   * key registry, as s3rver does). Returns the function that stops watching.
   */
  watchSessionKeys(watcher: (credentials: LocalCredentials) => void): () => void {
    for (const session of this.sessions.values()) watcher(session.credentials);
    this.keyWatchers.add(watcher);
    return () => this.keyWatchers.delete(watcher);
  }

  secretOf(accessKeyId: string): string | undefined {
    return accessKeyId === LOCAL_CREDENTIALS.accessKeyId ? LOCAL_CREDENTIALS.secretAccessKey : this.sessions.get(accessKeyId)?.credentials.secretAccessKey;
  }

  /** Whether a key is the operator's (no request of it is mapped or refused). */
  isOperator(accessKeyId: string): boolean {
    return accessKeyId === LOCAL_CREDENTIALS.accessKeyId;
  }

  /**
   * Undefined when every request is allowed to the (already authenticated) key; otherwise the first refusal.
   * Temporary credentials are valid only with their session token.
   */
  check(accessKeyId: string, sessionToken: string | undefined, requests: readonly IamRequest[]): Refusal | undefined {
    if (this.isOperator(accessKeyId)) return undefined;
    const session = this.sessions.get(accessKeyId);
    if (!session || sessionToken !== session.credentials.sessionToken) return { code: "InvalidToken", message: "The security token included in the request is invalid." };
    for (const request of requests) {
      const refused = denial(session, request);
      if (refused) return refused;
    }
    return undefined;
  }

  /** Whether the key may make one request (for answers that depend on it, as S3's 404-or-403 for a missing key). */
  allows(accessKeyId: string, sessionToken: string | undefined, request: IamRequest): boolean {
    return this.check(accessKeyId, sessionToken, [request]) === undefined;
  }
}

/** An environment's permissions boundary (the bootstrap's) in the local account. */
export function localBoundaryStatements(config: EnvironmentConfig): PolicyStatement[] {
  return boundaryStatements({ app: config.app, env: config.env, region: config.region, account: LOCAL_ACCOUNT, ...LOCAL_PARTITION });
}

/** The bootstrap's permissions boundaries by policy name, one per configured environment. */
function boundariesByName(): Map<string, PolicyStatement[]> {
  const configs = environmentNames().map((env) => loadConfig(env));
  return new Map(configs.map((c) => [permissionsBoundaryName(c.app, c.env), localBoundaryStatements(c)]));
}

/**
 * One role session per synthesized function: its execution role's inline policies (resolved to ARNs in the local
 * account) and its permissions boundary. Returns the credentials by function name.
 */
export function functionSessions(app: SynthesizedApp, iam: LocalIam): Map<string, Required<LocalCredentials>> {
  const compute = app.stackName("compute");
  const sessions = new Map<string, Required<LocalCredentials>>();
  const boundaries = boundariesByName();
  const boundaryOf = (arn: string) => {
    const boundary = boundaries.get(arn.split(":policy/")[1] ?? "");
    if (!boundary) throw new Error(`permissions boundary ${arn} is not one the bootstrap creates for any configured environment (${environmentNames().join(", ")})`);
    return boundary;
  };
  for (const fn of app.resources(compute, "aws_lambda_function")) {
    const name = app.resolveString(compute, fn.body.function_name);
    const role = app.target(compute, fn.body.role);
    if (!role || role.type !== "aws_iam_role") throw new Error(`${name}: its role ${String(fn.body.role)} is not an aws_iam_role of the synthesized app`);
    const attached = app.resources(role.stack, "aws_iam_role_policy_attachment").filter((a) => app.target(role.stack, a.body.role)?.address === role.address);
    if (attached.length) throw new Error(`${name}: managed policy attachments (${attached.map((a) => a.address).join(", ")}) are not evaluated by the local IAM`);
    const statements = app
      .resources(role.stack, "aws_iam_role_policy")
      .filter((p) => app.target(role.stack, p.body.role)?.address === role.address)
      .flatMap((p) => (JSON.parse(app.resolveString(role.stack, p.body.policy)) as { Statement: PolicyStatement[] }).Statement);
    const boundary = role.body.permissions_boundary ? boundaryOf(app.resolveString(role.stack, role.body.permissions_boundary)) : undefined;
    sessions.set(name, iam.assumeRole(app.resolveString(role.stack, role.body.name), name, statements, boundary));
  }
  return sessions;
}
