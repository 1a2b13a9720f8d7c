import { block } from "../../synth/stack-view";
import type { Rule } from "../types";

export const dataRules: Rule[] = [
  {
    id: "DDB.1",
    title: "DynamoDB point-in-time recovery",
    rationale: "A bad deploy or a bug that overwrites records can be rolled back to any second of the last 35 days.",
    fix: "Set point_in_time_recovery { enabled = true }.",
    checkov: "CKV_AWS_28",
    cdkNag: "AwsSolutions-DDB3",
    check(stack) {
      return stack.resources("aws_dynamodb_table").filter((t) => block(t.body.point_in_time_recovery)?.enabled !== true).map((t) => ({ address: t.address, message: "point-in-time recovery is off" }));
    },
  },
  {
    id: "DDB.2",
    title: "DynamoDB server-side encryption declared",
    rationale: "States the encryption choice in code (AWS managed key here; a CMK is the stricter option).",
    fix: "Set server_side_encryption { enabled = true } (optionally kms_key_arn for a customer managed key).",
    checkov: "CKV_AWS_119 (stricter: CMK)",
    cdkNag: "—",
    check(stack) {
      return stack.resources("aws_dynamodb_table").filter((t) => block(t.body.server_side_encryption)?.enabled !== true).map((t) => ({ address: t.address, message: "server-side encryption is not enabled" }));
    },
  },
  {
    id: "SQS.1",
    title: "SQS encryption",
    rationale: "Failed events carry object keys and metadata; they stay encrypted at rest.",
    fix: "Set sqs_managed_sse_enabled = true or kms_master_key_id.",
    checkov: "CKV_AWS_27",
    cdkNag: "AwsSolutions-SQS2",
    check(stack) {
      return stack
        .resources("aws_sqs_queue")
        .filter((q) => q.body.sqs_managed_sse_enabled !== true && !q.body.kms_master_key_id)
        .map((q) => ({ address: q.address, message: "is not encrypted" }));
    },
  },
  {
    id: "LOGS.1",
    title: "CloudWatch log groups have a retention",
    rationale: "Logs kept forever cost forever and keep personal data longer than any policy allows.",
    fix: "Set retention_in_days on the log group.",
    checkov: "CKV_AWS_66",
    cdkNag: "—",
    check(stack) {
      return stack.resources("aws_cloudwatch_log_group").filter((g) => !(g.body.retention_in_days > 0)).map((g) => ({ address: g.address, message: "has no retention" }));
    },
  },
];
