import { App, TerraformStack } from "cdktf";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { LAMBDA_QUOTAS } from "../../config/aws-quotas";
import { evaluate } from "../../policy/engine";
import { environmentSizeBound, policySizeBound, REFERENCE_BOUND } from "../../policy/resolved-size";
import { RULES } from "../../policy/rules";
import type { GateOptions, TfJson } from "../../policy/types";

const OPTIONS: GateOptions = {
  authEnabled: true,
  protectedRoutes: ["GET /presign", "GET /files/{key+}"],
  requiredQueryParameters: { "GET /presign": ["file"] },
  trustedServices: ["lambda.amazonaws.com", "apigateway.amazonaws.com"],
};

/** A stack holding only what `build` adds; returns its JSON as it would be synthesized. */
function insecureStack(build: (stack: TerraformStack) => void): TfJson {
  const app = new App({ outdir: "/nonexistent-never-written", skipValidation: true });
  const stack = new TerraformStack(app, "insecure");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  build(stack);
  return stack.toTerraform() as TfJson;
}

const role = (s: TerraformStack) =>
  new IamRole(s, "role", { name: "r", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) });
const fn = (s: TerraformStack, extra: Partial<ConstructorParameters<typeof LambdaFunction>[2]> = {}) =>
  new LambdaFunction(s, "fn", { functionName: "f", role: role(s).arn, handler: "index.handler", runtime: "nodejs22.x", filename: "f.zip", memorySize: 256, timeout: 5, tracingConfig: { mode: "Active" }, ...extra });
const api = (s: TerraformStack) => new ApiGatewayRestApi(s, "api", { name: "a" });
const presignResource = (s: TerraformStack, a: ApiGatewayRestApi) => new ApiGatewayResource(s, "presign", { restApiId: a.id, parentId: a.rootResourceId, pathPart: "presign" });
const stage = (s: TerraformStack, extra: Partial<ConstructorParameters<typeof ApiGatewayStage>[2]> = {}) => {
  const a = api(s);
  const d = new ApiGatewayDeployment(s, "deployment", { restApiId: a.id, triggers: { r: "1" }, lifecycle: { createBeforeDestroy: true } });
  return new ApiGatewayStage(s, "stage", { restApiId: a.id, stageName: "dev", deploymentId: d.id, ...extra });
};

/** A policy document of exactly `chars` characters, without white space (one statement, its object ARN padded). */
function policyOfSize(chars: number): string {
  const doc = (key: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::b/${key}` }] });
  return doc("k".repeat(chars - doc("").length));
}

/** rule id -> [a minimal insecure stack, the address the violation must name] */
const CASES: Record<string, [(s: TerraformStack) => void, string]> = {
  "S3.1": [(s) => new S3Bucket(s, "b", { bucket: "b" }), "aws_s3_bucket.b"],
  "S3.2": [(s) => new S3Bucket(s, "b", { bucket: "b" }), "aws_s3_bucket.b"],
  "S3.3": [(s) => new S3Bucket(s, "b", { bucket: "b" }), "aws_s3_bucket.b"],
  "S3.4": [(s) => new S3BucketPolicy(s, "p", { bucket: new S3Bucket(s, "b", { bucket: "b" }).id, policy: JSON.stringify({ Statement: [] }) }), "aws_s3_bucket.b"],
  "S3.5": [(s) => new S3Bucket(s, "b", { bucket: "b" }), "aws_s3_bucket.b"],
  "S3.6": [(s) => new S3Bucket(s, "b", { bucket: "b" }), "aws_s3_bucket.b"],
  "S3.7": [
    (s) => new S3BucketPolicy(s, "p", { bucket: new S3Bucket(s, "b", { bucket: "b" }).id, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] }) }),
    "aws_s3_bucket_policy.p",
  ],
  "IAM.1": [(s) => new IamRolePolicy(s, "p", { role: role(s).id, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }] }) }), "aws_iam_role_policy.p"],
  "IAM.2": [(s) => new IamRolePolicy(s, "p", { role: role(s).id, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }) }), "aws_iam_role_policy.p"],
  "IAM.3": [(s) => new IamRolePolicyAttachment(s, "a", { role: role(s).name, policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }), "aws_iam_role_policy_attachment.a"],
  "IAM.4": [(s) => new IamRole(s, "open", { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }) }), "aws_iam_role.open"],
  // The deploy role as it was: iam:* on its roles and PassRole to any service.
  "IAM.5": [
    (s) =>
      new IamRolePolicy(s, "deploy", {
        role: role(s).id,
        policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::1:role/ddn-dev-*" }] }),
      }),
    "aws_iam_role_policy.deploy",
  ],
  "IAM.6": [(s) => role(s), "aws_iam_role.role"],
  // Two inline policies of ~6,000 characters each: each fits alone, the role's total does not.
  "IAM.7": [
    (s) => {
      const r = role(s);
      for (const name of ["a", "b"]) new IamRolePolicy(s, name, { role: r.id, policy: policyOfSize(6000) });
    },
    "aws_iam_role.role",
  ],
  "LAMBDA.1": [(s) => fn(s, { runtime: "nodejs16.x" }), "aws_lambda_function.fn"],
  "LAMBDA.2": [(s) => fn(s, { tracingConfig: { mode: "PassThrough" } }), "aws_lambda_function.fn"],
  "LAMBDA.3": [(s) => fn(s), "aws_lambda_function.fn"],
  "LAMBDA.4": [(s) => fn(s, { memorySize: undefined, timeout: undefined }), "aws_lambda_function.fn"],
  "LAMBDA.5": [
    (s) => {
      const f = fn(s);
      const b = new S3Bucket(s, "b", { bucket: "b" });
      const p = new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: f.functionName, principal: "s3.amazonaws.com", sourceArn: b.arn, sourceAccount: "1" });
      new S3BucketNotification(s, "n", { bucket: b.id, lambdaFunction: [{ lambdaFunctionArn: f.arn, events: ["s3:ObjectCreated:*"] }], dependsOn: [p] });
    },
    "aws_lambda_function.fn",
  ],
  "LAMBDA.6": [(s) => new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: fn(s).functionName, principal: "s3.amazonaws.com" }), "aws_lambda_permission.perm"],
  "LAMBDA.7": [(s) => fn(s, { environment: { variables: { AWS_REGION: "eu-west-1" } } }), "aws_lambda_function.fn"],
  "APIGW.1": [(s) => stage(s, { xrayTracingEnabled: true }), "aws_api_gateway_stage.stage"],
  "APIGW.2": [(s) => stage(s), "aws_api_gateway_stage.stage"],
  "APIGW.3": [(s) => stage(s), "aws_api_gateway_stage.stage"],
  "APIGW.4": [(s) => new ApiGatewayDeployment(s, "deployment", { restApiId: api(s).id }), "aws_api_gateway_deployment.deployment"],
  "APIGW.5": [
    (s) => {
      const a = api(s);
      new ApiGatewayMethod(s, "open", { restApiId: a.id, resourceId: presignResource(s, a).id, httpMethod: "GET", authorization: "NONE" });
    },
    "aws_api_gateway_method.open",
  ],
  "APIGW.6": [
    (s) => {
      const a = api(s);
      new ApiGatewayMethod(s, "unvalidated", { restApiId: a.id, resourceId: presignResource(s, a).id, httpMethod: "GET", authorization: "NONE" });
    },
    "aws_api_gateway_method.unvalidated",
  ],
  "APIGW.7": [
    (s) => new ApiGatewayMethodSettings(s, "settings", { restApiId: "x", stageName: "dev", methodPath: "*/*", settings: { dataTraceEnabled: true, loggingLevel: "INFO" } }),
    "aws_api_gateway_method_settings.settings",
  ],
  "DDB.1": [(s) => new DynamodbTable(s, "t", { name: "t", hashKey: "k", attribute: [{ name: "k", type: "S" }], serverSideEncryption: { enabled: true } }), "aws_dynamodb_table.t"],
  "DDB.2": [(s) => new DynamodbTable(s, "t", { name: "t", hashKey: "k", attribute: [{ name: "k", type: "S" }], pointInTimeRecovery: { enabled: true } }), "aws_dynamodb_table.t"],
  "SQS.1": [(s) => new SqsQueue(s, "q", { name: "q", sqsManagedSseEnabled: false }), "aws_sqs_queue.q"],
  "LOGS.1": [(s) => new CloudwatchLogGroup(s, "g", { name: "/aws/lambda/x" }), "aws_cloudwatch_log_group.g"],
  "WIRING.1": [
    (s) => {
      const f = fn(s);
      const b = new S3Bucket(s, "b", { bucket: "b" });
      new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: f.functionName, principal: "s3.amazonaws.com", sourceArn: b.arn, sourceAccount: "1" });
      new S3BucketNotification(s, "n", { bucket: b.id, lambdaFunction: [{ lambdaFunctionArn: f.arn, events: ["s3:ObjectCreated:*"] }] });
    },
    "aws_s3_bucket_notification.n",
  ],
  // A permission exists, but for another method: on AWS the GET answers 500 "Invalid permissions on Lambda function".
  "WIRING.2": [
    (s) => {
      const a = api(s);
      const f = fn(s);
      const r = presignResource(s, a);
      const m = new ApiGatewayMethod(s, "get", { restApiId: a.id, resourceId: r.id, httpMethod: "GET", authorization: "NONE" });
      new ApiGatewayIntegration(s, "get-integration", { restApiId: a.id, resourceId: r.id, httpMethod: m.httpMethod, type: "AWS_PROXY", integrationHttpMethod: "POST", uri: f.invokeArn });
      new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: f.functionName, principal: "apigateway.amazonaws.com", sourceArn: `${a.executionArn}/*/POST/presign` });
    },
    "aws_api_gateway_integration.get-integration",
  ],
  // A stage with access logs and nothing that waits for the account's CloudWatch role setting.
  "WIRING.4": [(s) => stage(s, { accessLogSettings: { destinationArn: new CloudwatchLogGroup(s, "logs", { name: "l" }).arn, format: "$context.requestId" } }), "aws_api_gateway_stage.stage"],
  "WIRING.5": [
    (s) => {
      const q = new SqsQueue(s, "failures", { name: "f", sqsManagedSseEnabled: true });
      new LambdaFunctionEventInvokeConfig(s, "async", { functionName: fn(s).functionName, destinationConfig: { onFailure: { destination: q.arn } } });
    },
    "aws_sqs_queue.failures",
  ],
  "WIRING.6": [(s) => new SnsTopic(s, "alarms", { name: "alarms", kmsMasterKeyId: "alias/aws/sns" }), "aws_sns_topic.alarms"],
  "WIRING.3": [
    (s) => {
      const f = fn(s);
      const b = new S3Bucket(s, "b", { bucket: "b" });
      const p = new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: f.functionName, principal: "s3.amazonaws.com", sourceArn: b.arn, sourceAccount: "1" });
      new S3BucketNotification(s, "n", {
        bucket: b.id,
        lambdaFunction: [
          { id: "all", lambdaFunctionArn: f.arn, events: ["s3:ObjectCreated:*"] },
          { id: "images", lambdaFunctionArn: f.arn, events: ["s3:ObjectCreated:Put"], filterPrefix: "images/" },
        ],
        dependsOn: [p],
      });
    },
    "aws_s3_bucket_notification.n",
  ],
};

describe("policy rules", () => {
  test("every rule has a case below, an id, a rationale, a fix and its Checkov / cdk-nag equivalents", () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const r of RULES) {
      expect(r.rationale.length).toBeGreaterThan(20);
      expect(r.fix.length).toBeGreaterThan(10);
      expect(r.checkov).toBeTruthy();
      expect(r.cdkNag).toBeTruthy();
    }
  });

  test.each(RULES.map((r) => r.id))("%s fires on a minimal insecure stack", (id) => {
    const [build, address] = CASES[id]!;
    const { violations } = evaluate(insecureStack(build), OPTIONS);
    expect(violations.filter((v) => v.ruleId === id).map((v) => v.address)).toContain(address);
    const v = violations.find((x) => x.ruleId === id)!;
    expect(v.fix).toBe(RULES.find((r) => r.id === id)!.fix);
  });

  test("APIGW.5 applies only when auth is on", () => {
    const [build] = CASES["APIGW.5"]!;
    expect(evaluate(insecureStack(build), { ...OPTIONS, authEnabled: false }).violations.filter((v) => v.ruleId === "APIGW.5")).toEqual([]);
  });

  test("Deny statements with '*' principal (the TLS-only policy) are not public access", () => {
    const json = insecureStack((s) =>
      new S3BucketPolicy(s, "p", { bucket: new S3Bucket(s, "b", { bucket: "b" }).id, policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": false } } }] }) }),
    );
    const ids = evaluate(json, OPTIONS).violations.map((v) => v.ruleId);
    expect(ids).not.toContain("S3.7");
    expect(ids).not.toContain("S3.4");
  });

  test.each([
    ["role writes without the boundary condition", { Effect: "Allow", Action: ["iam:CreateRole", "iam:PutRolePolicy"], Resource: "arn:aws:iam::1:role/ddn-dev-*" }, /without requiring a permissions boundary/],
    ["removing a boundary", { Effect: "Allow", Action: "iam:DeleteRolePermissionsBoundary", Resource: "arn:aws:iam::1:role/ddn-dev-*" }, /DeleteRolePermissionsBoundary/],
    ["rewriting the boundary policy", { Effect: "Allow", Action: "iam:CreatePolicyVersion", Resource: "arn:aws:iam::1:policy/ddn-dev-boundary" }, /CreatePolicyVersion/],
    ["PassRole to any service", { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/ddn-dev-*" }, /any service/],
    ["PassRole on every role", { Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } }, /every role/],
  ])("IAM.5: %s", (_n, statement, message) => {
    const json = insecureStack((s) => new IamRolePolicy(s, "p", { role: role(s).id, policy: JSON.stringify({ Statement: [statement] }) }));
    expect(evaluate(json, OPTIONS).violations.filter((v) => v.ruleId === "IAM.5").map((v) => v.message).join("\n")).toMatch(message);
  });

  test("IAM.5 accepts role writes bound to a boundary and PassRole to Lambda on named roles", () => {
    const statements = [
      { Effect: "Allow", Action: ["iam:CreateRole", "iam:PutRolePolicy"], Resource: "arn:aws:iam::1:role/ddn-dev-*", Condition: { StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::1:policy/ddn-dev-boundary" } } },
      { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::1:role/ddn-dev-*", Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } },
      { Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
    ];
    const json = insecureStack((s) => new IamRolePolicy(s, "p", { role: role(s).id, policy: JSON.stringify({ Statement: statements }) }));
    expect(evaluate(json, OPTIONS).violations.filter((v) => v.ruleId === "IAM.5")).toEqual([]);
  });

  test("IAM.7: IAM's quotas exactly (white space not counted), for managed policies and a role's inline policies", () => {
    const iam7 = (build: (s: TerraformStack) => void) => evaluate(insecureStack(build), OPTIONS).violations.filter((v) => v.ruleId === "IAM.7");
    expect(policyOfSize(6144).length).toBe(6144);
    expect(iam7((s) => new IamPolicy(s, "fits", { name: "fits", policy: policyOfSize(6144) }))).toEqual([]);
    expect(iam7((s) => new IamPolicy(s, "over", { name: "over", policy: policyOfSize(6145) }))).toEqual([
      expect.objectContaining({ address: "aws_iam_policy.over", message: "managed policy: up to 6,145 characters once resolved, over the 6,144 IAM allows" }),
    ]);
    // White space is not counted: a pretty-printed document of the same content fits.
    expect(iam7((s) => new IamPolicy(s, "pretty", { name: "pretty", policy: JSON.stringify(JSON.parse(policyOfSize(6144)), null, 2) }))).toEqual([]);
    expect(iam7((s) => new IamRolePolicy(s, "p", { role: role(s).id, policy: policyOfSize(10240) }))).toEqual([]);
    expect(iam7((s) => new IamRolePolicy(s, "p", { role: role(s).id, policy: policyOfSize(10241) })).map((v) => v.message)).toEqual([
      "inline policies (aws_iam_role_policy.p: 10,241): up to 10,241 characters once resolved, over the 10,240 IAM allows",
    ]);
  });

  test("IAM.7 counts each reference at the longest value it can resolve to", () => {
    expect(policySizeBound('{"Resource": "arn:${data.aws_partition.p.partition}:s3:::b"}')).toBe('{"Resource":"arn:aws-us-gov:s3:::b"}'.length);
    expect(policySizeBound('"${data.aws_caller_identity.a.account_id}"')).toBe(14);
    expect(policySizeBound('"${aws_s3_bucket.b.arn}/*"')).toBe(REFERENCE_BOUND + 4);
    // A role's trust policy: 2,048 at most.
    const statement = (padding: number) => JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Sid: "x".repeat(padding) }] });
    const base = statement(0).length;
    const trusting = (padding: number) => evaluate(insecureStack((s) => new IamRole(s, "r", { name: "r", assumeRolePolicy: statement(padding) })), OPTIONS).violations.filter((v) => v.ruleId === "IAM.7");
    expect(trusting(2048 - base)).toEqual([]);
    expect(trusting(2049 - base).map((v) => v.message)).toEqual(["trust policy: up to 2,049 characters once resolved, over the 2,048 IAM allows"]);
  });

  test("LAMBDA.7: Lambda's 4 KB exactly, measured as the variables' JSON with each reference at its bound; reserved and malformed keys", () => {
    const lambda7 = (variables: Record<string, string>) =>
      evaluate(insecureStack((s) => fn(s, { environment: { variables } })), OPTIONS)
        .violations.filter((v) => v.ruleId === "LAMBDA.7")
        .map((v) => v.message);
    const padded = (bytes: number) => ({ ORIGINS: "o".repeat(bytes - JSON.stringify({ ORIGINS: "" }).length) });
    expect(environmentSizeBound(padded(LAMBDA_QUOTAS.environmentBytes))).toBe(LAMBDA_QUOTAS.environmentBytes);
    expect(lambda7(padded(LAMBDA_QUOTAS.environmentBytes))).toEqual([]);
    expect(lambda7(padded(LAMBDA_QUOTAS.environmentBytes + 1))).toEqual(["environment variables measure up to 4097 bytes once resolved, over the 4096 Lambda allows (largest: ORIGINS, up to 4097)"]);
    // Bytes, not characters; a reference at its bound.
    expect(environmentSizeBound({ A: "é" })).toBe('{"A":""}'.length + 2);
    expect(environmentSizeBound({ BUCKET: "${aws_s3_bucket.b.bucket}" })).toBe('{"BUCKET":""}'.length + REFERENCE_BOUND);
    expect(lambda7({ AWS_REGION: "eu-west-1", AWS_LAMBDA_EXEC_WRAPPER: "/opt/w", TZ: "UTC", NODE_OPTIONS: "--enable-source-maps" })).toEqual(["sets AWS_REGION, which the Lambda runtime reserves"]);
    expect(lambda7({ "my-key": "x", "1ST": "x", X: "x", _HANDLER: "x" })).toEqual(['keys "my-key", "1ST", "X", "_HANDLER" do not match ^[a-zA-Z][a-zA-Z0-9_]+$']);
  });

  test("'*' resource is accepted for X-Ray's unscopable actions only", () => {
    const json = insecureStack((s) => new IamRolePolicy(s, "p", { role: role(s).id, policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" }] }) }));
    expect(evaluate(json, OPTIONS).violations.filter((v) => v.ruleId === "IAM.2")).toEqual([]);
  });
});

describe("wiring rules accept what AWS accepts", () => {
  const proxied = (sourceArn: (a: ApiGatewayRestApi) => string | undefined, path = "presign") =>
    insecureStack((s) => {
      const a = api(s);
      const f = fn(s);
      const r = new ApiGatewayResource(s, "r", { restApiId: a.id, parentId: a.rootResourceId, pathPart: path });
      const m = new ApiGatewayMethod(s, "get", { restApiId: a.id, resourceId: r.id, httpMethod: "GET", authorization: "NONE" });
      new ApiGatewayIntegration(s, "get-integration", { restApiId: a.id, resourceId: r.id, httpMethod: m.httpMethod, type: "AWS_PROXY", integrationHttpMethod: "POST", uri: f.invokeArn });
      const arn = sourceArn(a);
      new LambdaPermission(s, "perm", { action: "lambda:InvokeFunction", functionName: f.functionName, principal: "apigateway.amazonaws.com", ...(arn ? { sourceArn: arn } : {}) });
    });
  const wiring2 = (json: TfJson) => evaluate(json, OPTIONS).violations.filter((v) => v.ruleId === "WIRING.2");

  test("WIRING.2: exact method ARN, stage wildcard, whole-API wildcard and {param} wildcards all match", () => {
    expect(wiring2(proxied((a) => `${a.executionArn}/*/GET/presign`))).toEqual([]);
    expect(wiring2(proxied((a) => `${a.executionArn}/*/*`))).toEqual([]);
    expect(wiring2(proxied((a) => `${a.executionArn}/*/GET/*`, "{id}"))).toEqual([]);
  });

  test("WIRING.2: another API's execution ARN does not match", () => {
    expect(wiring2(proxied(() => "arn:aws:execute-api:eu-west-1:1:other/*/GET/presign"))).toHaveLength(1);
  });

  test("WIRING.3: rules on disjoint prefixes or suffixes, or for different event types, do not overlap", () => {
    const json = insecureStack((s) => {
      const f = fn(s);
      const b = new S3Bucket(s, "b", { bucket: "b" });
      new S3BucketNotification(s, "n", {
        bucket: b.id,
        lambdaFunction: [
          { id: "a", lambdaFunctionArn: f.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "uploads/" },
          { id: "b", lambdaFunctionArn: f.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "images/" },
          { id: "c", lambdaFunctionArn: f.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "uploads/", filterSuffix: ".x" },
          { id: "d", lambdaFunctionArn: f.arn, events: ["s3:ObjectRemoved:*"], filterPrefix: "uploads/" },
        ],
      });
    });
    const found = evaluate(json, OPTIONS).violations.filter((v) => v.ruleId === "WIRING.3").map((v) => v.message);
    expect(found).toEqual([expect.stringContaining('"a" and lambda_function[2] "c" overlap')]);
  });
});

describe("README", () => {
  test("lists the current rule table (run `npm run policy:table` after changing a rule)", () => {
    const readme = require("node:fs").readFileSync(require("node:path").resolve(__dirname, "../../README.md"), "utf8") as string;
    expect(readme).toContain(require("../../policy/table").ruleTable());
  });
});
