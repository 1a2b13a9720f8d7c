import type { IamRequest } from "../policy/iam-evaluation";

// What IAM authorizes for each request the local stand-ins serve: the action(s) and resource(s) the service itself
// checks (AWS's "Actions, resources, and condition keys" tables). A request not mapped here is refused by name
// rather than allowed: a new call a handler makes must be added here, with the actions AWS would check.

/** Where the stand-ins pretend to be: the ARNs a request is checked against. */
export interface ServiceScope {
  readonly region: string;
  readonly account: string;
}

/** The KMS key SSM encrypts SecureStrings with by default (aws/ssm), as an ARN in the scope. */
export const ssmDefaultKeyArn = (scope: ServiceScope) => `arn:aws:kms:${scope.region}:${scope.account}:key/00000000-0000-4000-8000-00000000055a`;

/** The ARN of an SSM parameter by name ("/a/b" and "a/b" both name parameter/a/b). */
export const parameterArn = (scope: ServiceScope, name: string) => `arn:aws:ssm:${scope.region}:${scope.account}:parameter/${name.replace(/^\//, "")}`;

export interface S3RequestShape {
  readonly method: string;
  /** Decoded bucket name; empty for the service (ListBuckets). */
  readonly bucket: string;
  /** Decoded object key; empty for bucket-level requests. */
  readonly key: string;
  readonly query: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The object a copy reads (x-amz-copy-source: [/]bucket/key[?versionId=v], percent-encoded). */
function copySource(header: string): IamRequest {
  const [source = "", version] = header.split("?versionId=");
  const decoded = decodeURIComponent(source).replace(/^\//, "");
  return { action: version ? "s3:GetObjectVersion" : "s3:GetObject", resource: `arn:aws:s3:::${decoded}` };
}

/** The IAM requests S3 checks for one REST request (path-style), or undefined when it is not mapped. */
export function s3Requests(r: S3RequestShape): IamRequest[] | undefined {
  const has = (name: string) => Object.prototype.hasOwnProperty.call(r.query, name);
  const method = r.method.toUpperCase();
  if (!r.bucket) return method === "GET" ? [{ action: "s3:ListAllMyBuckets", resource: "*" }] : undefined;
  const bucketArn = `arn:aws:s3:::${r.bucket}`;
  if (!r.key) {
    const bucket = (action: string): IamRequest[] => [{ action, resource: bucketArn }];
    if (method === "GET" && has("uploads")) return bucket("s3:ListBucketMultipartUploads");
    if (method === "GET" && has("versions")) return bucket("s3:ListBucketVersions");
    if (method === "GET" && has("location")) return bucket("s3:GetBucketLocation");
    if ((method === "GET" || method === "HEAD") && !["cors", "policy", "acl", "notification", "lifecycle", "tagging", "versioning", "delete"].some(has)) return bucket("s3:ListBucket");
    return undefined;
  }
  const object = `arn:aws:s3:::${r.bucket}/${r.key}`;
  const on = (action: string): IamRequest => ({ action, resource: object });
  const versioned = has("versionId");
  // A copy (CopyObject, UploadPartCopy) reads its source too.
  const source = r.headers["x-amz-copy-source"];
  const copied = typeof source === "string" ? [copySource(source)] : [];
  if (has("uploadId")) {
    if (method === "PUT") return [on("s3:PutObject"), ...copied];
    if (method === "POST") return [on("s3:PutObject")];
    if (method === "DELETE") return [on("s3:AbortMultipartUpload")];
    if (method === "GET") return [on("s3:ListMultipartUploadParts")];
    return undefined;
  }
  if (has("uploads")) return method === "POST" ? [on("s3:PutObject")] : undefined;
  if (has("tagging")) {
    const action = { GET: "GetObjectTagging", PUT: "PutObjectTagging", DELETE: "DeleteObjectTagging" }[method];
    return action ? [on(`s3:${versioned ? action.replace("Object", "ObjectVersion") : action}`)] : undefined;
  }
  if (["acl", "retention", "legal-hold", "restore", "attributes", "torrent", "select"].some(has)) return undefined;
  if (method === "GET" || method === "HEAD") return [on(versioned ? "s3:GetObjectVersion" : "s3:GetObject")];
  if (method === "DELETE") return [on(versioned ? "s3:DeleteObjectVersion" : "s3:DeleteObject")];
  // Tags set with the object need their own permission (PutObject's documented requirement).
  if (method === "PUT") return [on("s3:PutObject"), ...copied, ...(r.headers["x-amz-tagging"] !== undefined ? [on("s3:PutObjectTagging")] : [])];
  return undefined;
}

/** The action each kind of TransactWriteItems entry is authorized as. */
const TRANSACT_ACTIONS: Readonly<Record<string, string>> = { Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem" };

/** The IAM requests DynamoDB checks for one JSON-protocol call (X-Amz-Target DynamoDB_20120810.<Op>). */
export function dynamodbRequests(scope: ServiceScope, operation: string, body: Record<string, unknown>): IamRequest[] | undefined {
  const table = (name: unknown) => `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${String(name)}`;
  const onTable = (action: string, name: unknown, index?: unknown): IamRequest => ({ action: `dynamodb:${action}`, resource: index ? `${table(name)}/index/${String(index)}` : table(name) });
  switch (operation) {
    case "GetItem":
    case "PutItem":
    case "UpdateItem":
    case "DeleteItem":
    case "DescribeTable":
    case "DeleteTable":
    case "CreateTable":
    case "UpdateTable":
      return [onTable(operation, body.TableName)];
    case "Query":
    case "Scan":
      return [onTable(operation, body.TableName, body.IndexName)];
    case "BatchGetItem":
    case "BatchWriteItem":
      return Object.keys((body.RequestItems as Record<string, unknown>) ?? {}).map((name) => onTable(operation, name));
    case "TransactWriteItems":
      return ((body.TransactItems as Array<Record<string, { TableName?: string }>>) ?? []).flatMap((item) =>
        Object.entries(item).map(([kind, op]) => onTable(TRANSACT_ACTIONS[kind] ?? kind, op.TableName)),
      );
    case "TransactGetItems":
      return ((body.TransactItems as Array<{ Get?: { TableName?: string } }>) ?? []).map((item) => onTable("GetItem", item.Get?.TableName));
    case "ListTables":
      return [{ action: "dynamodb:ListTables", resource: "*" }];
    default:
      return undefined;
  }
}

/**
 * The IAM requests SSM checks for one JSON-protocol call. A decrypted SecureString is also SSM calling KMS
 * Decrypt with the caller's identity: allowed only via SSM, for that parameter's encryption context.
 */
export function ssmRequests(scope: ServiceScope, operation: string, body: Record<string, unknown>): IamRequest[] | undefined {
  if (operation !== "GetParameter") return undefined;
  const parameter = parameterArn(scope, String(body.Name ?? ""));
  const read: IamRequest = { action: "ssm:GetParameter", resource: parameter };
  if (body.WithDecryption !== true) return [read];
  const context = { "kms:ViaService": `ssm.${scope.region}.amazonaws.com`, "kms:EncryptionContext:PARAMETER_ARN": parameter, "kms:CallerAccount": scope.account };
  return [read, { action: "kms:Decrypt", resource: ssmDefaultKeyArn(scope), context }];
}

/** The IAM requests SQS checks for one JSON-protocol call (X-Amz-Target AmazonSQS.<Action>). */
export function sqsRequests(scope: ServiceScope, operation: string, body: Record<string, unknown>): IamRequest[] | undefined {
  const byName = body.QueueName ?? String(body.QueueUrl ?? "").split("/").pop();
  if (!byName) return operation === "ListQueues" ? [{ action: "sqs:ListQueues", resource: "*" }] : undefined;
  const queue = `arn:aws:sqs:${scope.region}:${scope.account}:${String(byName)}`;
  // SendMessageBatch is authorized as SendMessage, DeleteMessageBatch as DeleteMessage (SQS's documented mapping).
  const action = operation.replace(/Batch$/, "");
  return [{ action: `sqs:${action}`, resource: queue }];
}
