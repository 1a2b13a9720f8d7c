/**
 * Endpoint overrides per the SDK's standard variables (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL), so the
 * handlers run unchanged against local S3 and DynamoDB servers.
 */
export function endpointOverride(service: "S3" | "DYNAMODB" | "SSM"): string | undefined {
  return process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL || undefined;
}

export function region(): string {
  return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || "us-east-1";
}
