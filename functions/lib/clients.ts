import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { endpointOverride } from "./aws-endpoints";

/** SDK clients, created once per container on first use and reused by every invocation. */
let s3: S3Client | undefined;
let dynamodb: DynamoDBClient | undefined;

export function s3Client(): S3Client {
  if (!s3) {
    const endpoint = endpointOverride("S3");
    s3 = new S3Client({
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      // Checksums only where S3 requires them: copies carry no payload to checksum.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }
  return s3;
}

export function dynamodbClient(): DynamoDBClient {
  if (!dynamodb) {
    const endpoint = endpointOverride("DYNAMODB");
    dynamodb = new DynamoDBClient(endpoint ? { endpoint } : {});
  }
  return dynamodb;
}

/** Tests swap endpoints between suites; this drops the cached clients. */
export function resetClients(): void {
  s3?.destroy();
  dynamodb?.destroy();
  s3 = undefined;
  dynamodb = undefined;
}
