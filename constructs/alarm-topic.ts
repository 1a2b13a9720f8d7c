import type { Construct } from "constructs";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { policyDocument } from "./policy-document";

/**
 * The topic CloudWatch alarms notify, encrypted with a customer managed key whose policy lets CloudWatch use it.
 * Pitfall: with the AWS managed key alias/aws/sns, alarms cannot publish at all ("not authorized to access the
 * SNS topic's encryption key"): its key policy cannot be changed to admit cloudwatch.amazonaws.com.
 */
export function addAlarmTopic(scope: Construct, name: string, region: string, account: string): SnsTopic {
  const partition = new DataAwsPartition(scope, "alarm-topic-partition").partition;
  const alarms = `arn:${partition}:cloudwatch:${region}:${account}:alarm:*`;
  const key = new KmsKey(scope, "alarm-topic-key", {
    description: `Encrypts the ${name} topic; CloudWatch alarms of this account may use it to publish`,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: policyDocument([
      // The account administers the key through IAM, as with every key created without a policy.
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": alarms } },
      },
    ]),
  });
  new KmsAlias(scope, "alarm-topic-key-alias", { name: `alias/${name}`, targetKeyId: key.keyId });
  const topic = new SnsTopic(scope, "alarm-topic", { name, kmsMasterKeyId: key.arn });
  new SnsTopicPolicy(scope, "alarm-topic-policy", {
    arn: topic.arn,
    policy: policyDocument([
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: topic.arn,
        Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": alarms } },
      },
    ]),
  });
  return topic;
}
