import { placeholder } from "./placeholder";
import type { EnvironmentConfig } from "./types";

const dev: EnvironmentConfig = {
  app: "ddn",
  env: "dev",
  region: "eu-west-1",
  tags: { project: "ddn-file-pipeline", environment: "dev", "managed-by": "cdktf" },
  storage: {
    forceDestroy: true,
    expireUploadsAfterDays: 7,
    abortIncompleteMultipartAfterDays: 1,
    noncurrentVersionExpirationDays: 7,
    maxUploadBytes: 1024 ** 3,
  },
  allowedOrigins: ["http://localhost:3000"],
  logRetentionDays: 14,
  presign: { urlExpiresSeconds: 900, allowedContentTypes: [] },
  eventDelivery: { maxRetryAttempts: 2, maxEventAgeSeconds: 3600 },
  api: {
    stages: ["dev"],
    throttle: { burstLimit: 50, rateLimit: 25 },
    accessLogRetentionDays: 30,
    auth: {
      enabled: true,
      cacheTtlSeconds: 60,
      jwtSecretParam: "/ddn/dev/jwt-secret",
      issuer: "ddn-dev",
      audience: "ddn-api",
    },
  },
};

// Prod must be secure with no extra flags: auth on, explicit origins, throttling, a year of access logs,
// buckets that `terraform destroy` refuses to empty. The placeholder(...) values are examples: deploys refuse them.
const prod: EnvironmentConfig = {
  app: "ddn",
  env: "prod",
  account: placeholder("123456789012"),
  region: "eu-west-1",
  tags: { project: "ddn-file-pipeline", environment: "prod", "managed-by": "cdktf" },
  storage: {
    forceDestroy: false,
    expireUploadsAfterDays: 30,
    abortIncompleteMultipartAfterDays: 3,
    noncurrentVersionExpirationDays: 30,
    maxUploadBytes: 5 * 1024 ** 3,
  },
  allowedOrigins: [placeholder("https://files.example.com")],
  functions: { process: { memoryMb: 1024, timeoutSeconds: 600 } },
  logRetentionDays: 90,
  presign: { urlExpiresSeconds: 3600, allowedContentTypes: [] },
  eventDelivery: { maxRetryAttempts: 2, maxEventAgeSeconds: 21600 },
  api: {
    stages: ["v1"],
    throttle: { burstLimit: 200, rateLimit: 100 },
    accessLogRetentionDays: 365,
    auth: {
      enabled: true,
      cacheTtlSeconds: 300,
      jwksUrl: placeholder("https://auth.example.com/.well-known/jwks.json"),
      issuer: placeholder("https://auth.example.com/"),
      audience: "ddn-api",
    },
  },
};

export const ENVIRONMENTS: Readonly<Record<string, EnvironmentConfig>> = { dev, prod };
