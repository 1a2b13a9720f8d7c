import type { PolicyStatement } from "../../constructs/policy-document";
import { permissionsBoundaryName } from "../../config/bootstrap";
import { localBoundaryStatements } from "../../local/local-iam";
import { evaluate, type IamRequest } from "../../policy/iam-evaluation";
import { LOCAL_ACCOUNT, SynthesizedApp } from "../../synth/synthesized-app";
import { ENVIRONMENTS, expected, synthEnv } from "../stacks/synth";

// Every role the iam stack creates carries the environment's permissions boundary, which the bootstrap owns. An
// action the boundary lacks synthesizes, plans and applies, then fails in AWS with AccessDenied at the handler's first
// call. The local pipeline refuses it too, but only on a path a test runs; so every statement a role is given must be
// allowed by the boundary, whether or not a test calls it.

/** The requests a statement allows, one per action and resource, carrying the condition values it requires. */
function requestsOf(statement: PolicyStatement): IamRequest[] {
  let contexts: Record<string, string>[] = [{}];
  for (const block of Object.values(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(block)) contexts = contexts.flatMap((c) => [values].flat().map((v) => ({ ...c, [key]: String(v) })));
  }
  return [statement.Action]
    .flat()
    .flatMap((action) => [statement.Resource ?? []].flat().flatMap((resource) => contexts.map((context) => ({ action, resource, context }))));
}

describe.each(ENVIRONMENTS)("%s: every function role fits inside the permissions boundary", (env) => {
  const { config, names, functions } = expected(env);
  let app: SynthesizedApp;
  let boundary: PolicyStatement[];
  beforeAll(() => {
    app = new SynthesizedApp(synthEnv(env).outdir);
    // The bootstrap's ceiling for this environment, in the account the synthesized app resolves to.
    boundary = localBoundaryStatements(config);
  });

  test.each(functions.map((f) => f.name))("%s", (name) => {
    const iam = names.stack("iam");
    const policy = app.resources(iam, "aws_iam_role_policy").find((r) => r.name === `${name}-role-policy`)!;
    const statements = (JSON.parse(app.resolveString(iam, policy.body.policy)) as { Statement: PolicyStatement[] }).Statement;
    const requests = statements.filter((s) => s.Effect === "Allow").flatMap((s) => requestsOf(s).map((r) => ({ sid: s.Sid, ...r })));
    expect(requests.length).toBeGreaterThan(2);
    // The role's own policy allows each (the evaluation reads these statements as IAM does) ...
    expect(requests.filter((r) => evaluate(statements, r) !== "allow")).toEqual([]);
    // ... and so must the boundary, or AWS denies it.
    expect(requests.filter((r) => evaluate(boundary, r) !== "allow")).toEqual([]);
  });

  test("the boundary is the one each role carries", () => {
    const roles = app.resources(names.stack("iam"), "aws_iam_role");
    expect(roles).toHaveLength(functions.length);
    expect(roles.map((r) => app.resolveString(names.stack("iam"), r.body.permissions_boundary))).toEqual(
      roles.map(() => `arn:aws:iam::${LOCAL_ACCOUNT}:policy/${permissionsBoundaryName(config.app, env)}`),
    );
  });
});
