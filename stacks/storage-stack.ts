import type { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import type { S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import type { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { alarmSettings } from "../config/alarms";
import { addAlarm } from "../constructs/alarm";
import { addAlarmTopic } from "../constructs/alarm-topic";
import { addHardenedBucket } from "../constructs/hardened-bucket";
import { HASH_KEY } from "../functions/lib/file-record";
import type { BucketName, ResourceRef, TableName } from "../pipeline/refs";
import { PipelineStack, type PipelineStackProps } from "./pipeline-stack";

interface HardenedBucketProps {
  readonly role: BucketName;
  readonly account: string;
  readonly cors: { readonly methods: string[]; readonly headers: string[]; readonly expose: string[] };
  readonly lifecycle: S3BucketLifecycleConfigurationRule[];
}

/**
 * Owns the data: the upload (in) and processed (out) buckets with their hardening, and the files table.
 * Nothing here references Lambda, so this stack deploys first and is never cycled by compute changes.
 */
export class StorageStack extends PipelineStack {
  readonly inBucket: S3Bucket;
  readonly outBucket: S3Bucket;
  readonly filesTable: DynamodbTable;
  /** Every alarm of the environment notifies this topic; it lives here, in the first stack, so all can name it. */
  readonly alarmTopic: SnsTopic;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const s = this.config.storage;
    const account = new DataAwsCallerIdentity(this, "account").accountId;

    const abortMultipart: S3BucketLifecycleConfigurationRule = {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: [{ prefix: "" }],
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: s.abortIncompleteMultipartAfterDays }],
    };
    // Expired current versions leave delete markers; once their noncurrent versions are gone, the markers are removed too.
    const noncurrent: S3BucketLifecycleConfigurationRule = {
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: [{ prefix: "" }],
      noncurrentVersionExpiration: [{ noncurrentDays: s.noncurrentVersionExpirationDays }],
      expiration: [{ expiredObjectDeleteMarker: true }],
    };

    this.inBucket = this.hardenedBucket({
      role: "in",
      account,
      // Browsers PUT to presigned URLs; content-type is signed when the client names one.
      cors: { methods: ["PUT"], headers: ["content-type"], expose: ["ETag"] },
      lifecycle: [
        {
          id: "expire-processed-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: s.expireUploadsAfterDays }],
        },
        noncurrent,
        abortMultipart,
      ],
    });
    this.outBucket = this.hardenedBucket({
      role: "out",
      account,
      cors: { methods: ["GET", "HEAD"], headers: ["range"], expose: ["ETag", "Content-Length", "Content-Range"] },
      lifecycle: [noncurrent, abortMultipart],
    });

    this.filesTable = new DynamodbTable(this, "files-table", {
      name: this.names.table,
      billingMode: "PAY_PER_REQUEST",
      hashKey: HASH_KEY,
      attribute: [{ name: HASH_KEY, type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: !s.forceDestroy,
    });

    const alarms = alarmSettings(this.config);
    this.alarmTopic = addAlarmTopic(this, this.names.alarmTopic, this.config.region, account);
    for (const [i, endpoint] of alarms.email.entries()) new SnsTopicSubscription(this, `alarm-email-${i}`, { topicArn: this.alarmTopic.arn, protocol: "email", endpoint });
    for (const [i, endpoint] of alarms.https.entries()) new SnsTopicSubscription(this, `alarm-https-${i}`, { topicArn: this.alarmTopic.arn, protocol: "https", endpoint });
    for (const kind of ["Read", "Write"] as const) {
      addAlarm(this, `files-table-${kind.toLowerCase()}-throttles`, {
        name: this.names.alarm(`files-table-${kind.toLowerCase()}-throttles`),
        description: `The files table throttled ${kind.toLowerCase()}s (on-demand capacity exceeded, or a hot key): requests are being retried or failing.`,
        namespace: "AWS/DynamoDB",
        metric: `${kind}ThrottleEvents`,
        dimensions: { TableName: this.filesTable.name },
        statistic: "Sum",
        threshold: 0,
        periodSeconds: alarms.periodSeconds,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        topicArn: this.alarmTopic.arn,
      });
    }

    // The HS256 signing secret this stack used to create (its value was in this stack's state, which the plan role
    // reads) is the bootstrap's now: forgotten here, never deleted, so the authorizer keeps reading it meanwhile.
    this.addOverride("removed", [{ from: "aws_ssm_parameter.jwt-secret", lifecycle: { destroy: false } }]);
  }

  /**
   * The Terraform expression for a declaration's reference (names for environment variables, ARNs for policies).
   * `arn` builds ARNs of resources this stack does not own (SSM parameters); only iam needs it.
   */
  reference(ref: ResourceRef, arn?: (service: string, resource: string) => string): string {
    switch (ref.kind) {
      case "bucket": {
        const b = this.bucket(ref.bucket);
        return ref.part === "objects" ? `${b.arn}/${ref.prefix ?? ""}*` : ref.part === "arn" ? b.arn : b.bucket;
      }
      case "table":
        return ref.part === "arn" ? this.table(ref.table).arn : this.table(ref.table).name;
      case "ssm-parameter":
        if (ref.part === "name") return ref.name;
        if (!arn) throw new Error(`the ARN of SSM parameter ${ref.name} is resolved in the iam stack only`);
        return arn("ssm", `parameter${ref.name}`);
    }
  }

  /** The bucket a declaration's reference names. */
  bucket(name: BucketName): S3Bucket {
    return name === "in" ? this.inBucket : this.outBucket;
  }

  table(name: TableName): DynamodbTable {
    if (name !== "files") throw new Error(`no table "${name}"`);
    return this.filesTable;
  }

  private hardenedBucket(p: HardenedBucketProps): S3Bucket {
    return addHardenedBucket(this, `${p.role}-bucket`, {
      // Globally unique without a random suffix: account and region make it so, and the name stays readable.
      bucket: `${this.names.prefix}-${p.role}-${p.account}-${this.config.region}`,
      forceDestroy: this.config.storage.forceDestroy,
      lifecycle: p.lifecycle,
      cors: {
        allowedMethods: p.cors.methods,
        allowedOrigins: [...this.config.allowedOrigins],
        allowedHeaders: p.cors.headers,
        exposeHeaders: p.cors.expose,
        maxAgeSeconds: 3000,
      },
    });
  }
}
