import { HASH_KEY } from "../../functions/lib/file-record";
import { ENVIRONMENTS, expected, list, only, resources, synthEnv, type Synthesized } from "./synth";

describe.each(ENVIRONMENTS)("storage stack (%s)", (env) => {
  const { config, names } = expected(env);
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s.cleanup());
  const stack = () => s.stacks[names.stack("storage")]!;

  test("matches the snapshot", () => {
    expect(stack()).toMatchSnapshot();
  });

  test("two buckets, each with all four public-access-block flags", () => {
    expect(Object.keys(resources(stack(), "aws_s3_bucket")).sort()).toEqual(["in-bucket", "out-bucket"]);
    const blocks = list(stack(), "aws_s3_bucket_public_access_block");
    expect(blocks).toHaveLength(2);
    for (const b of blocks) {
      expect(b).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    }
  });

  test("bucket names are unique per account and region", () => {
    expect(resources(stack(), "aws_s3_bucket")["in-bucket"].bucket).toBe(
      `${names.prefix}-in-\${data.aws_caller_identity.account.account_id}-${config.region}`,
    );
  });

  test("ownership enforced, SSE on, versioning on (the in-bucket especially)", () => {
    for (const o of list(stack(), "aws_s3_bucket_ownership_controls")) expect(o.rule.object_ownership).toBe("BucketOwnerEnforced");
    for (const e of list(stack(), "aws_s3_bucket_server_side_encryption_configuration")) {
      expect(e.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
      // A bucket key does nothing for SSE-S3 (it saves KMS calls) and can show as a perpetual diff.
      expect(e.rule[0].bucket_key_enabled).toBeUndefined();
    }
    const versioning = resources(stack(), "aws_s3_bucket_versioning");
    expect(versioning["in-bucket-versioning"].bucket).toBe("${aws_s3_bucket.in-bucket.id}");
    expect(versioning["in-bucket-versioning"].versioning_configuration.status).toBe("Enabled");
  });

  test("bucket policies deny every non-TLS request", () => {
    for (const p of list(stack(), "aws_s3_bucket_policy")) {
      const doc = JSON.parse(p.policy);
      expect(doc.Statement).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": false } } }),
      );
    }
  });

  test("CORS allows browser PUT to in and GET to out, from the configured origins only", () => {
    const cors = resources(stack(), "aws_s3_bucket_cors_configuration");
    const origins = config.allowedOrigins;
    expect(cors["in-bucket-cors"].cors_rule[0]).toMatchObject({ allowed_methods: ["PUT"], allowed_origins: origins });
    expect(cors["out-bucket-cors"].cors_rule[0]).toMatchObject({ allowed_methods: ["GET", "HEAD"], allowed_origins: origins });
  });

  test("lifecycle expires uploads and aborts incomplete multipart uploads", () => {
    const lc = resources(stack(), "aws_s3_bucket_lifecycle_configuration");
    const inRules = lc["in-bucket-lifecycle"].rule;
    expect(inRules.find((r: any) => r.id === "expire-processed-uploads").expiration[0].days).toBe(config.storage.expireUploadsAfterDays);
    for (const l of Object.values(lc)) {
      expect((l as any).rule.some((r: any) => r.abort_incomplete_multipart_upload?.[0]?.days_after_initiation > 0)).toBe(true);
    }
  });

  test("lifecycle rules wait for versioning, and expired delete markers are removed", () => {
    for (const [name, l] of Object.entries(resources(stack(), "aws_s3_bucket_lifecycle_configuration"))) {
      const bucket = name.replace(/-lifecycle$/, "");
      expect((l as any).depends_on).toEqual([`aws_s3_bucket_versioning.${bucket}-versioning`]);
      const noncurrent = (l as any).rule.find((r: any) => r.id === "expire-noncurrent-versions");
      expect(noncurrent.noncurrent_version_expiration[0].noncurrent_days).toBe(config.storage.noncurrentVersionExpirationDays);
      expect(noncurrent.expiration).toEqual([{ expired_object_delete_marker: true }]);
    }
  });

  test("no secret in this stack (its state is readable by the plan role): the signing secret it created before is forgotten, never deleted", () => {
    expect(resources(stack(), "aws_ssm_parameter")).toEqual({});
    // The bootstrap creates it now (bootstrap.test.ts); a deploy of this version only drops it from this state.
    expect((stack() as { removed?: unknown }).removed).toEqual([{ from: "aws_ssm_parameter.jwt-secret", lifecycle: { destroy: false } }]);
  });

  test("force_destroy only where the environment says so", () => {
    for (const b of list(stack(), "aws_s3_bucket")) expect(b.force_destroy).toBe(config.storage.forceDestroy);
  });

  test("files table: on-demand, point-in-time recovery, encryption", () => {
    const t = only(stack(), "aws_dynamodb_table");
    expect(t).toMatchObject({
      name: names.table,
      billing_mode: "PAY_PER_REQUEST",
      hash_key: HASH_KEY,
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: !config.storage.forceDestroy,
    });
  });

  test("owns nothing that references Lambda", () => {
    expect(JSON.stringify(stack())).not.toMatch(/lambda/i);
  });
});
