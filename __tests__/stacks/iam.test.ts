import { list, resources, synthEnv, type Synthesized } from "./synth";

const FUNCTIONS = ["presign", "process", "status", "authorize"];

function statements(policy: string): any[] {
  return JSON.parse(policy).Statement;
}
function actionsOf(policy: string): string[] {
  return statements(policy).flatMap((s) => [s.Action].flat());
}

describe.each(["dev", "prod"])("iam stack (%s)", (env) => {
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s.cleanup());
  const stack = () => s.stacks[`ddn-${env}-iam`]!;
  const policyOf = (fn: string) => resources(stack(), "aws_iam_role_policy")[`${fn}-role-policy`].policy as string;

  test("matches the snapshot", () => {
    expect(stack()).toMatchSnapshot();
  });

  test("one role per function, trusted only by lambda.amazonaws.com", () => {
    const roles = resources(stack(), "aws_iam_role");
    for (const fn of FUNCTIONS) {
      const trust = JSON.parse(roles[`${fn}-role`].assume_role_policy);
      expect(roles[`${fn}-role`].name).toBe(`ddn-${env}-${fn}`);
      expect(trust.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    }
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

  test("each function writes only to its own log group", () => {
    for (const fn of FUNCTIONS) {
      const logs = statements(policyOf(fn)).find((st) => st.Sid === "OwnLogGroup");
      expect(logs.Action).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
      expect(logs.Resource).toMatch(new RegExp(`:log-group:/aws/lambda/ddn-${env}-${fn}:\\*$`));
    }
  });

  test("presign: PutObject on in/*, GetObject on out/* and nothing else of S3", () => {
    const st = statements(policyOf("presign")).filter((x) => String(x.Action).startsWith("s3:"));
    expect(st.map((x) => [x.Action, x.Resource])).toEqual([
      ["s3:PutObject", expect.stringMatching(/in-bucketarn\}\/\*$/)],
      ["s3:GetObject", expect.stringMatching(/out-bucketarn\}\/\*$/)],
    ]);
  });

  test("process: read in/*, write out/*, the item actions it uses, its failure queue", () => {
    const st = statements(policyOf("process"));
    expect(actionsOf(policyOf("process")).sort()).toEqual(
      [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "s3:AbortMultipartUpload",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "sqs:SendMessage",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
      ].sort(),
    );
    expect(st.find((x) => x.Sid === "RecordMetadata").Resource).toMatch(/files-tablearn\}$/);
    expect(st.find((x) => x.Sid === "OnFailureDestination").Resource).toMatch(new RegExp(`:ddn-${env}-process-failures$`));
  });

  test("status: dynamodb:GetItem only", () => {
    expect(actionsOf(policyOf("status")).filter((a) => !/^(logs|xray):/.test(a))).toEqual(["dynamodb:GetItem"]);
  });

  test("authorize reads exactly what its key source needs", () => {
    const extra = actionsOf(policyOf("authorize")).filter((a) => !/^(logs|xray):/.test(a));
    if (env === "dev") {
      expect(extra).toEqual(["ssm:GetParameter"]);
      expect(statements(policyOf("authorize")).find((x) => x.Sid === "ReadJwtSecret").Resource).toMatch(/:parameter\/ddn\/dev\/jwt-secret$/);
    } else {
      expect(extra).toEqual([]); // JWKS over HTTPS needs no AWS permission
    }
  });

  test("API Gateway CloudWatch role only where the environment owns the account setting", () => {
    const role = resources(stack(), "aws_iam_role")["apigateway-cloudwatch-role"];
    if (env === "dev") {
      expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: "apigateway.amazonaws.com" });
    } else {
      expect(role).toBeUndefined();
    }
  });
});
