import { bootstrapNames, BOUNDARY_REVISION_TAG, permissionsBoundaryName } from "../../config/bootstrap";
import { BOUNDARY_REVISION } from "../../constructs/deploy-role-policy";
import { PARAMETER_READS } from "../../constructs/parameter-decryption";
import { spaceRoot } from "../../functions/lib/key-space";
import { list, resources, synthEnv, ENVIRONMENTS, expected, type Synthesized } from "./synth";

function statements(policy: string): any[] {
  return JSON.parse(policy).Statement;
}
function actionsOf(policy: string): string[] {
  return statements(policy).flatMap((s) => [s.Action].flat());
}

describe.each(ENVIRONMENTS)("iam stack (%s)", (env) => {
  const { config, names, functions } = expected(env);
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s.cleanup());
  const stack = () => s.stacks[names.stack("iam")]!;
  const policyOf = (fn: string) => resources(stack(), "aws_iam_role_policy")[`${fn}-role-policy`].policy as string;

  test("matches the snapshot", () => {
    expect(stack()).toMatchSnapshot();
  });

  test("one role per declared function, trusted only by lambda.amazonaws.com", () => {
    const roles = resources(stack(), "aws_iam_role");
    for (const { name } of functions) {
      const trust = JSON.parse(roles[`${name}-role`].assume_role_policy);
      expect(roles[`${name}-role`].name).toBe(names.role(name));
      expect(trust.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    }
  });

  test("every role carries the environment's boundary, whose revision the plan requires wherever the bootstrap ran", () => {
    const data = stack().data as Record<string, Record<string, any>>;
    const boundary = data.aws_iam_policy!["permissions-boundary"];
    expect(boundary.arn).toMatch(new RegExp(`:policy/${permissionsBoundaryName(config.app, config.env)}$`));
    for (const role of list(stack(), "aws_iam_role")) expect(role.permissions_boundary).toBe(boundary.arn);
    // Read only where the bootstrap's deploy role exists (elsewhere the API stack's plan says to apply it first).
    expect(data.aws_iam_roles!["bootstrap-deploy-role"].name_regex).toBe(`^${bootstrapNames(config.app).deployRole(config.env)}$`);
    expect(boundary.count).toBe("${length(tolist(data.aws_iam_roles.bootstrap-deploy-role.names))}");
    expect(boundary.lifecycle.postcondition).toEqual([
      { condition: `\${try(tonumber(self.tags["${BOUNDARY_REVISION_TAG}"]), 0) >= ${BOUNDARY_REVISION}}`, error_message: expect.stringContaining("Apply the bootstrap stack again") },
    ]);
  });

  test("no wildcard actions and no managed policies anywhere", () => {
    for (const p of list(stack(), "aws_iam_role_policy")) {
      for (const a of actionsOf(p.policy)) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    }
    expect(resources(stack(), "aws_iam_role_policy_attachment")).toEqual({});
  });

  test("'*' resource only for X-Ray, which has no resource-level permissions", () => {
    for (const p of list(stack(), "aws_iam_role_policy")) {
      for (const st of statements(p.policy)) {
        if (st.Resource === "*") expect([st.Action].flat().every((a: string) => a.startsWith("xray:"))).toBe(true);
      }
    }
  });

  test.each(functions.map((f) => [f.name, f] as const))("%s: its own log group, X-Ray, exactly its declared statements, its failure queue if event-driven", (name, declared) => {
    const st = statements(policyOf(name));
    expect(st.find((x) => x.Sid === "OwnLogGroup")).toMatchObject({
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: expect.stringMatching(new RegExp(`:log-group:${names.logGroup(name)}:\\*$`)),
    });
    const sids = st.map((x) => x.Sid);
    const onFailure = declared.objectCreated?.length ? ["OnFailureDestination"] : [];
    // A statement reading parameters is followed by the decryption of those parameters (SecureStrings).
    const withDecryption = (p: { sid: string; actions: readonly string[] }) => (p.actions.some((a) => PARAMETER_READS.includes(a)) ? [p.sid, `${p.sid}Decryption`] : [p.sid]);
    expect(sids).toEqual(["OwnLogGroup", "XRayWrite", ...(declared.permissions ?? []).flatMap(withDecryption), ...onFailure]);
    for (const p of declared.permissions ?? []) {
      const found = st.find((x) => x.Sid === p.sid);
      expect([found.Action].flat()).toEqual(p.actions);
      expect([found.Resource].flat()).toHaveLength(p.resources.length);
    }
    if (onFailure.length) expect(st.find((x) => x.Sid === "OnFailureDestination")).toMatchObject({ Action: "sqs:SendMessage", Resource: expect.stringMatching(new RegExp(`:${names.failureQueue(name)}$`)) });
  });

  test("presign: PutObject on in/<spaces>/*, GetObject on out/<spaces>/* and nothing else of S3", () => {
    const root = spaceRoot(config.api.auth.enabled);
    const st = statements(policyOf("presign")).filter((x) => String(x.Action).startsWith("s3:"));
    expect(st.map((x) => [x.Action, x.Resource])).toEqual([
      ["s3:PutObject", expect.stringMatching(new RegExp(`in-bucketarn\\}/${root}\\*$`))],
      ["s3:GetObject", expect.stringMatching(new RegExp(`out-bucketarn\\}/${root}\\*$`))],
    ]);
  });

  test("uploads: the multipart actions its routes use, on the in-bucket's key spaces only", () => {
    const root = spaceRoot(config.api.auth.enabled);
    const st = statements(policyOf("uploads")).filter((x) => /^s3:/.test(String([x.Action].flat()[0])));
    expect(st.map((x) => [[x.Action].flat().sort(), x.Resource])).toEqual([
      [["s3:PutObject"], expect.stringMatching(new RegExp(`in-bucketarn\\}/${root}\\*$`))],
      [["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], expect.stringMatching(new RegExp(`in-bucketarn\\}/${root}\\*$`))],
    ]);
  });

  test("status: reads the in-bucket's key spaces and may list the bucket (S3 answers 403, not 404, for a missing key otherwise)", () => {
    const root = spaceRoot(config.api.auth.enabled);
    const st = statements(policyOf("status")).filter((x) => /^s3:/.test(String([x.Action].flat()[0])));
    expect(st.map((x) => [x.Action, x.Resource])).toEqual([
      ["s3:GetObject", expect.stringMatching(new RegExp(`in-bucketarn\\}/${root}\\*$`))],
      ["s3:ListBucket", expect.stringMatching(/in-bucketarn\}$/)],
    ]);
  });

  test("authorize reads exactly what its key source needs", () => {
    const extra = actionsOf(policyOf("authorize")).filter((a) => !/^(logs|xray):/.test(a));
    if (config.api.auth.enabled && config.api.auth.jwtSecretParam) {
      expect(extra).toEqual(["ssm:GetParameter", "kms:Decrypt"]);
      const parameter = statements(policyOf("authorize")).find((x) => x.Sid === "ReadJwtSecret").Resource;
      expect(parameter).toMatch(new RegExp(`:parameter${config.api.auth.jwtSecretParam}$`));
      // Decrypting it: only through SSM in the environment's region, only this parameter (its encryption context).
      expect(statements(policyOf("authorize")).find((x) => x.Sid === "ReadJwtSecretDecryption")).toEqual({
        Sid: "ReadJwtSecretDecryption",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: expect.stringMatching(new RegExp(`:kms:${config.region}:\\$\\{data\\.aws_caller_identity\\.account\\.account_id\\}:key/\\*$`)),
        Condition: {
          StringEquals: { "kms:ViaService": `ssm.${config.region}.\${data.aws_partition.partition.dns_suffix}` },
          StringLike: { "kms:EncryptionContext:PARAMETER_ARN": parameter },
        },
      });
    } else {
      expect(extra).toEqual([]); // JWKS over HTTPS needs no AWS permission
    }
  });

  test("no environment owns account-wide settings: the API Gateway CloudWatch role is the bootstrap's", () => {
    expect(Object.keys(resources(stack(), "aws_iam_role")).filter((r) => !r.endsWith("-role") || r.startsWith("apigateway"))).toEqual([]);
  });
});
