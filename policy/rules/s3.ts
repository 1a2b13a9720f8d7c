import { asList, block, policyStatements, type StackView } from "../../synth/stack-view";
import type { Finding, Rule } from "../types";

/** Per bucket: the companion resource (public access block, encryption...) that targets it, if any. */
function companions(stack: StackView, type: string) {
  return stack.resources("aws_s3_bucket").map((bucket) => ({ bucket, found: stack.referencing(type, "bucket", bucket) }));
}

export const s3Rules: Rule[] = [
  {
    id: "S3.1",
    title: "Public access block with all four flags",
    rationale: "Blocks public ACLs and policies account-wide mistakes cannot undo on this bucket.",
    fix: "Add aws_s3_bucket_public_access_block for the bucket with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true.",
    checkov: "CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56, CKV2_AWS_6",
    cdkNag: "AwsSolutions-S2",
    check(stack) {
      const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
      return companions(stack, "aws_s3_bucket_public_access_block").flatMap(({ bucket, found }): Finding[] => {
        if (found.length === 0) return [{ address: bucket.address, message: "has no public access block" }];
        const off = flags.filter((f) => !found.some((pab) => pab.body[f] === true));
        return off.length ? [{ address: bucket.address, message: `public access block leaves ${off.join(", ")} off` }] : [];
      });
    },
  },
  {
    id: "S3.2",
    title: "Object ownership BucketOwnerEnforced (ACLs disabled)",
    rationale: "With ACLs disabled, access is decided by policies alone and uploads cannot keep foreign ownership.",
    fix: 'Add aws_s3_bucket_ownership_controls with rule { object_ownership = "BucketOwnerEnforced" }.',
    checkov: "CKV2_AWS_65",
    cdkNag: "—",
    check(stack) {
      return companions(stack, "aws_s3_bucket_ownership_controls")
        .filter(({ found }) => !found.some((o) => block(o.body.rule)?.object_ownership === "BucketOwnerEnforced"))
        .map(({ bucket }) => ({ address: bucket.address, message: "does not enforce BucketOwnerEnforced ownership" }));
    },
  },
  {
    id: "S3.3",
    title: "Default encryption",
    rationale: "Every object is encrypted at rest without relying on each writer to ask for it.",
    fix: "Add aws_s3_bucket_server_side_encryption_configuration with an AES256 or aws:kms default.",
    checkov: "CKV_AWS_19, CKV_AWS_145 (KMS)",
    cdkNag: "NIST.800.53.R5-S3DefaultEncryptionKMS (KMS)",
    check(stack) {
      return companions(stack, "aws_s3_bucket_server_side_encryption_configuration")
        .filter(({ found }) => !found.some((e) => asList(e.body.rule).some((r: any) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(block(r?.apply_server_side_encryption_by_default)?.sse_algorithm))))
        .map(({ bucket }) => ({ address: bucket.address, message: "has no default server-side encryption" }));
    },
  },
  {
    id: "S3.4",
    title: "Bucket policy denies non-TLS requests",
    rationale: "Requests over plain HTTP would expose data and presigned credentials in transit.",
    fix: 'Add a bucket policy statement: Effect Deny, Principal "*", Action "s3:*", Resource bucket and bucket/*, Condition Bool aws:SecureTransport = false.',
    checkov: "—",
    cdkNag: "AwsSolutions-S10",
    check(stack) {
      return companions(stack, "aws_s3_bucket_policy")
        .filter(({ found }) =>
          !found.some((p) =>
            (policyStatements(p.body.policy) ?? []).some((s: any) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes('"aws:SecureTransport":false') && asList(s.Action).some((a) => a === "s3:*")),
          ),
        )
        .map(({ bucket }) => ({ address: bucket.address, message: "has no policy denying aws:SecureTransport = false" }));
    },
  },
  {
    id: "S3.5",
    title: "Versioning on every bucket (the input bucket above all)",
    rationale: "S3 may merge the events of concurrent writes to an unversioned key; versions keep each upload addressable.",
    fix: 'Add aws_s3_bucket_versioning with versioning_configuration { status = "Enabled" } (expire old versions with a lifecycle rule).',
    checkov: "CKV_AWS_21",
    cdkNag: "NIST.800.53.R5-S3BucketVersioningEnabled",
    check(stack) {
      return companions(stack, "aws_s3_bucket_versioning")
        .filter(({ found }) => !found.some((v) => block(v.body.versioning_configuration)?.status === "Enabled"))
        .map(({ bucket }) => ({ address: bucket.address, message: "is not versioned" }));
    },
  },
  {
    id: "S3.6",
    title: "Lifecycle aborts incomplete multipart uploads",
    rationale: "Abandoned multipart parts are invisible and billed forever otherwise.",
    fix: "Add an aws_s3_bucket_lifecycle_configuration rule with abort_incomplete_multipart_upload { days_after_initiation = N }.",
    checkov: "CKV_AWS_300",
    cdkNag: "—",
    check(stack) {
      return companions(stack, "aws_s3_bucket_lifecycle_configuration")
        .filter(({ found }) => !found.some((l) => asList(l.body.rule).some((r: any) => r?.status === "Enabled" && (block(r.abort_incomplete_multipart_upload)?.days_after_initiation ?? 0) > 0)))
        .map(({ bucket }) => ({ address: bucket.address, message: "has no enabled lifecycle rule aborting incomplete multipart uploads" }));
    },
  },
  {
    id: "S3.7",
    title: "No public ACL and no Allow to a '*' principal",
    rationale: "Either makes objects readable or writable by anyone on the internet.",
    fix: 'Remove the public ACL (acl/aws_s3_bucket_acl) and any Allow statement whose Principal is "*" or {"AWS": "*"}.',
    checkov: "CKV_AWS_20, CKV_AWS_57, CKV_AWS_70",
    cdkNag: "AwsSolutions-S2, AwsSolutions-S6",
    check(stack) {
      const findings: Finding[] = [];
      const publicAcl = (acl: unknown) => typeof acl === "string" && /^public-|authenticated-read/.test(acl);
      for (const b of stack.resources("aws_s3_bucket")) if (publicAcl(b.body.acl)) findings.push({ address: b.address, message: `acl "${b.body.acl}"` });
      for (const a of stack.resources("aws_s3_bucket_acl")) if (publicAcl(a.body.acl)) findings.push({ address: a.address, message: `acl "${a.body.acl}"` });
      for (const p of stack.resources("aws_s3_bucket_policy")) {
        const statements = policyStatements(p.body.policy);
        if (!statements) findings.push({ address: p.address, message: "policy is not a JSON document the gate can check" });
        for (const s of statements ?? []) {
          const principal = s.Principal;
          const anyone = principal === "*" || (typeof principal === "object" && principal !== null && asList((principal as Record<string, string | string[]>).AWS).includes("*"));
          if (s.Effect === "Allow" && anyone) findings.push({ address: p.address, message: "allows a '*' principal" });
        }
      }
      return findings;
    },
  },
];
