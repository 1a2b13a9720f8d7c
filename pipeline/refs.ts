/**
 * Typed references from a function declaration to the pipeline's resources. A declaration names what it needs
 * ("the in-bucket's objects"); each stack turns the reference into the Terraform expression it can use (a name
 * for an environment variable in compute, an ARN for a policy in iam).
 */
export type BucketName = "in" | "out";
export type TableName = "files";

export type ResourceRef =
  | { readonly kind: "bucket"; readonly bucket: BucketName; readonly part: "name" | "arn" | "objects"; readonly prefix?: string }
  | { readonly kind: "table"; readonly table: TableName; readonly part: "name" | "arn" }
  | { readonly kind: "ssm-parameter"; readonly name: string; readonly part: "name" | "arn" };

/** An environment variable's value: a literal, or a reference resolved by the stack that creates the function. */
export type EnvValue = string | ResourceRef;

export const bucket = (name: BucketName) => ({
  /** The bucket's name (for environment variables). */
  name: { kind: "bucket", bucket: name, part: "name" } as ResourceRef,
  /** The bucket itself (bucket-level actions such as s3:ListBucket). */
  arn: { kind: "bucket", bucket: name, part: "arn" } as ResourceRef,
  /** Every object in the bucket (object-level actions such as s3:GetObject). */
  objects: { kind: "bucket", bucket: name, part: "objects" } as ResourceRef,
  /** The objects whose keys start with `prefix` (a function that only reads images/ gets only images/). */
  objectsUnder: (prefix: string): ResourceRef => ({ kind: "bucket", bucket: name, part: "objects", prefix }),
});

export const table = (name: TableName) => ({
  name: { kind: "table", table: name, part: "name" } as ResourceRef,
  arn: { kind: "table", table: name, part: "arn" } as ResourceRef,
});

export const ssmParameter = (name: string) => ({
  name: { kind: "ssm-parameter", name, part: "name" } as ResourceRef,
  arn: { kind: "ssm-parameter", name, part: "arn" } as ResourceRef,
});

export const isRef = (value: EnvValue): value is ResourceRef => typeof value === "object";
