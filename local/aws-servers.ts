import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";

// Neither server ships types; the surface used here is small.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("@20minutes/s3rver") as new (options: Record<string, unknown>) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: Record<string, unknown>) => import("node:net").Server;

/** The key pair s3rver accepts (and verifies signatures with). */
export const LOCAL_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface LocalAwsOptions {
  readonly buckets: readonly string[];
  readonly table?: { readonly name: string; readonly hashKey: string };
  /** Silence the servers' own request logs (default true). */
  readonly silent?: boolean;
}

export interface LocalAws {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  /** Environment for handlers and SDK clients pointing at these servers. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Real S3 (SigV4-verifying) and DynamoDB servers on 127.0.0.1, random ports, data in a temporary directory and
 * in memory. Nothing leaves loopback.
 */
export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const directory = mkdtempSync(path.join(tmpdir(), "ddn-s3rver-"));
  const s3 = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: options.silent ?? true,
    directory,
    resetOnClose: true,
    allowMismatchedSignatures: false,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  });
  const s3Address = await s3.run();

  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once("error", reject);
    dynamo.listen(0, "127.0.0.1", () => resolve());
  });
  const dynamoAddress = dynamo.address() as AddressInfo;

  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;
  const dynamodbEndpoint = `http://127.0.0.1:${dynamoAddress.port}`;
  const env = {
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: "us-east-1",
  };

  if (options.table) {
    const db = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS });
    await db.send(
      new CreateTableCommand({
        TableName: options.table.name,
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [{ AttributeName: options.table.hashKey, KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: options.table.hashKey, AttributeType: "S" }],
      }),
    );
    db.destroy();
  }

  return {
    s3Endpoint,
    dynamodbEndpoint,
    env,
    async stop() {
      await s3.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
