import type { PolicyStatement } from "../../constructs/policy-document";
import { evaluate } from "../../policy/iam-evaluation";

// The evaluation boundary-fit.test.ts relies on, held to IAM's documented behaviour.
const objects: PolicyStatement = { Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::ddn-dev-*/*" };

test("actions match case-insensitively with wildcards; resources case-sensitively, * crossing / and :", () => {
  expect(evaluate([objects], { action: "S3:GetObject", resource: "arn:aws:s3:::ddn-dev-in/users/a/b.txt" })).toBe("allow");
  expect(evaluate([objects], { action: "s3:PutObject", resource: "arn:aws:s3:::ddn-dev-in/a" })).toBe("implicit-deny");
  expect(evaluate([objects], { action: "s3:GetObject", resource: "arn:aws:s3:::DDN-dev-in/a" })).toBe("implicit-deny");
  expect(evaluate([{ Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/ddn-dev-*" }], { action: "logs:PutLogEvents", resource: "arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/ddn-dev-x:log-stream:s" })).toBe("allow");
  expect(evaluate([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/?.txt" }], { action: "s3:GetObject", resource: "arn:aws:s3:::b/ab.txt" })).toBe("implicit-deny");
});

test("an explicit Deny wins; NotResource denies all but what it names", () => {
  const deny: PolicyStatement = { Effect: "Deny", Action: "s3:GetObject", NotResource: "arn:aws:s3:::ddn-dev-in/public/*" };
  expect(evaluate([objects, deny], { action: "s3:GetObject", resource: "arn:aws:s3:::ddn-dev-in/private/a" })).toBe("explicit-deny");
  expect(evaluate([objects, deny], { action: "s3:GetObject", resource: "arn:aws:s3:::ddn-dev-in/public/a" })).toBe("allow");
});

test("conditions: every key must hold, any of its values; a key the request lacks fails; unknown operators are refused", () => {
  const decrypt: PolicyStatement = {
    Effect: "Allow",
    Action: "kms:Decrypt",
    Resource: "arn:aws:kms:eu-west-1:1:key/*",
    Condition: { StringEquals: { "kms:ViaService": ["ssm.eu-west-1.amazonaws.com", "ssm.eu-west-2.amazonaws.com"] }, StringLike: { "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:eu-west-1:1:parameter/ddn/dev/*" } },
  };
  const request = (context: Record<string, string>) => evaluate([decrypt], { action: "kms:Decrypt", resource: "arn:aws:kms:eu-west-1:1:key/abc", context });
  expect(request({ "kms:viaservice": "ssm.eu-west-1.amazonaws.com", "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:eu-west-1:1:parameter/ddn/dev/jwt-secret" })).toBe("allow");
  expect(request({ "kms:ViaService": "ssm.eu-west-1.amazonaws.com", "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:eu-west-1:1:parameter/ddn/prod/jwt-secret" })).toBe("implicit-deny");
  expect(request({ "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com", "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:eu-west-1:1:parameter/ddn/dev/x" })).toBe("implicit-deny");
  expect(request({ "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:eu-west-1:1:parameter/ddn/dev/x" })).toBe("implicit-deny");
  expect(() => evaluate([{ ...decrypt, Condition: { StringEqualsIfExists: { "kms:ViaService": "x" } } }], { action: "kms:Decrypt", resource: "arn:aws:kms:eu-west-1:1:key/abc" })).toThrow(/StringEqualsIfExists is not evaluated here/);
});
