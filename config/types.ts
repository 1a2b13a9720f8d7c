export interface FunctionSettings {
  /** MB, 128..10240 */
  readonly memoryMb: number;
  /** seconds, 1..900 */
  readonly timeoutSeconds: number;
}

export interface AuthSettings {
  /** When false, /presign and /files are open (dev only; the policy gate flags it). */
  readonly enabled: boolean;
  /** API Gateway authorizer result cache TTL, 0..3600 s. */
  readonly cacheTtlSeconds: number;
  /** RS256/ES256 keys from a JWKS endpoint... */
  readonly jwksUrl?: string;
  /** ...or HS256 with a secret in this SSM SecureString parameter (name starting with "/"). */
  readonly jwtSecretParam?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Who is told when something fails, and when; every field has a default (config/alarms.ts). */
export interface AlarmSettings {
  /** Email addresses subscribed to the alarm topic (each must confirm the subscription AWS mails). */
  readonly email?: readonly string[];
  /** HTTPS endpoints subscribed to the alarm topic (chat webhooks, incident tools). */
  readonly https?: readonly string[];
  /** Length of one evaluation period, seconds (60 or a multiple of 60). */
  readonly periodSeconds?: number;
  /** Periods the API alarms look back over; they fire when `datapointsToAlarm` of them breach. */
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  /** API 5xx rate (0..1) above which a stage alarms. */
  readonly api5xxRate?: number;
  /** API p99 latency (ms) above which a stage alarms. */
  readonly apiLatencyP99Ms?: number;
}

export interface EnvironmentConfig {
  /** Prefix of every name: `<app>-<env>-<part>`. */
  readonly app: string;
  readonly env: string;
  /**
   * The AWS account (12 digits) the environment deploys to. Terraform's AWS provider then refuses credentials of any
   * other account before it reads or changes anything (`allowed_account_ids`). Unset: whatever account the
   * credentials are in (fine for one person trying it).
   */
  readonly account?: string;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly storage: {
    /** Lets `terraform destroy` delete non-empty buckets; never in prod. */
    readonly forceDestroy: boolean;
    /** Uploads in the in-bucket expire after this many days (they are copied to the out-bucket). */
    readonly expireUploadsAfterDays: number;
    readonly abortIncompleteMultipartAfterDays: number;
    /** Old versions in the versioned in-bucket expire after this many days. */
    readonly noncurrentVersionExpirationDays: number;
    /** Largest upload in bytes, enforced by S3 through the signed Content-Length (at most 5 GiB, one PUT's limit). */
    readonly maxUploadBytes: number;
  };
  /** CloudWatch alarms and who they notify (defaults in config/alarms.ts). */
  readonly alarms?: AlarmSettings;
  /** Browser origins allowed by S3 CORS and the API's CORS headers. Never empty. */
  readonly allowedOrigins: readonly string[];
  /** Per-function overrides of the defaults declared in functions/<name>/function.ts. */
  readonly functions?: Readonly<Record<string, Partial<FunctionSettings>>>;
  /** CloudWatch retention of the function log groups (a value CloudWatch accepts). */
  readonly logRetentionDays: number;
  readonly presign: {
    /** 1..604800 (7 days, SigV4's limit). */
    readonly urlExpiresSeconds: number;
    /** Empty = any well-formed type/subtype. */
    readonly allowedContentTypes: readonly string[];
  };
  /** Asynchronous delivery of object-created events to every function that subscribes to them. */
  readonly eventDelivery: {
    /** Lambda's async retries, 0..2. */
    readonly maxRetryAttempts: number;
    /** 60..21600 s. */
    readonly maxEventAgeSeconds: number;
  };
  readonly api: {
    readonly stages: readonly string[];
    readonly throttle: { readonly burstLimit: number; readonly rateLimit: number };
    readonly accessLogRetentionDays: number;
    readonly auth: AuthSettings;
  };
}
