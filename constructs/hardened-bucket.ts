import type { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketCorsConfiguration, type S3BucketCorsConfigurationCorsRule } from "@cdktf/provider-aws/lib/s3-bucket-cors-configuration";
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { policyDocument } from "./policy-document";
import { dependOn } from "./in-stack-address";

export interface HardenedBucketProps {
  readonly bucket: string;
  readonly forceDestroy: boolean;
  readonly lifecycle: S3BucketLifecycleConfigurationRule[];
  readonly cors?: S3BucketCorsConfigurationCorsRule;
}

/**
 * A private bucket with every hardening the policy gate asks for: all four public-access-block flags,
 * BucketOwnerEnforced, SSE-S3, versioning, a TLS-only policy, lifecycle rules (+ CORS if given).
 * Resources are created in `scope` with ids `<id>-…`, so their Terraform addresses are stable and readable.
 */
export function addHardenedBucket(scope: Construct, id: string, props: HardenedBucketProps): S3Bucket {
  const bucket = new S3Bucket(scope, id, { bucket: props.bucket, forceDestroy: props.forceDestroy });
  new S3BucketPublicAccessBlock(scope, `${id}-public-access-block`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, `${id}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${id}-encryption`, {
    bucket: bucket.id,
    // No bucket key: it only saves KMS calls, and with SSE-S3 it has no effect (the provider may show a perpetual diff).
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  // Versioning: S3 may merge the events of concurrent writes to an unversioned key; versions keep them apart.
  const versioning = new S3BucketVersioningA(scope, `${id}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
  new S3BucketPolicy(scope, `${id}-policy`, {
    bucket: bucket.id,
    policy: policyDocument([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket.arn, `${bucket.arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": false } },
      },
    ]),
  });
  if (props.cors) new S3BucketCorsConfiguration(scope, `${id}-cors`, { bucket: bucket.id, corsRule: [props.cors] });
  // Lifecycle rules on versions need versioning in place first (AWS documents the race on a new bucket).
  dependOn(new S3BucketLifecycleConfiguration(scope, `${id}-lifecycle`, { bucket: bucket.id, rule: props.lifecycle }), [versioning]);
  return bucket;
}
