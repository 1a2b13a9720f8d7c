// The straightforward handler a user would write: getSignedUrl on a default S3Client. Benchmark baseline only.
import { PutObjectCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";

const s3 = new S3Client({});

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const q = event.queryStringParameters ?? {};
  const file = q.file;
  if (!file) return { statusCode: 400, body: JSON.stringify({ code: "MissingFile", message: "file is required" }) };
  const upload = q.mode === "upload";
  const command = upload
    ? new PutObjectCommand({ Bucket: process.env.IN_BUCKET, Key: file })
    : new GetObjectCommand({ Bucket: process.env.OUT_BUCKET, Key: file });
  const url = await getSignedUrl(s3, command, { expiresIn: 3600 });
  return { statusCode: 200, body: JSON.stringify({ url }) };
}
