import { MAX_PRESIGNED_URL_SECONDS, MAX_SINGLE_PUT_BYTES } from "../functions/lib/s3-limits";
import { alarmSettings } from "./alarms";
import { API_GATEWAY_QUOTAS } from "./aws-quotas";
import type { EnvironmentConfig } from "./types";

/** Values CloudWatch Logs accepts for retention_in_days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;


/** Thrown for any invalid setting; the message lists every problem, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[], env: string) {
    super(`Invalid configuration for environment "${env}":\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const NAME = /^[a-z][a-z0-9-]{1,14}$/;
const STAGE = /^[A-Za-z0-9_]{1,64}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** An AWS account id, as config.account names it. */
export const ACCOUNT_ID = /^\d{12}$/;
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

function intIn(problems: string[], name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got ${value})`);
  }
}

function origin(value: string): boolean {
  if (value === "*") return true;
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}

function retention(problems: string[], name: string, value: number): void {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
    problems.push(`${name} must be one of ${LOG_RETENTION_DAYS.join(", ")} (got ${value})`);
  }
}

/** Every check runs before any construct exists, so a bad value never produces half a synth. */
export function validateConfig(c: EnvironmentConfig): void {
  const p: string[] = [];
  if (!NAME.test(c.app)) p.push(`app must match ${NAME} (got "${c.app}")`);
  if (!NAME.test(c.env)) p.push(`env must match ${NAME} (got "${c.env}")`);
  if (c.account !== undefined && !ACCOUNT_ID.test(c.account)) p.push(`account must be a 12-digit AWS account id (got "${c.account}")`);
  if (!REGION.test(c.region)) p.push(`region must look like eu-west-1 (got "${c.region}")`);
  // The deploy role reaches the environment's KMS keys by this tag (constructs/deploy-role-policy.ts).
  if (c.tags.environment !== c.env) p.push(`tags.environment must be the environment's name "${c.env}" (got "${c.tags.environment}")`);

  intIn(p, "storage.expireUploadsAfterDays", c.storage.expireUploadsAfterDays, 1, 3650);
  intIn(p, "storage.abortIncompleteMultipartAfterDays", c.storage.abortIncompleteMultipartAfterDays, 1, 365);
  intIn(p, "storage.noncurrentVersionExpirationDays", c.storage.noncurrentVersionExpirationDays, 1, 3650);
  intIn(p, "storage.maxUploadBytes", c.storage.maxUploadBytes, 1, MAX_SINGLE_PUT_BYTES);

  const alarms = alarmSettings(c);
  for (const e of alarms.email) if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) p.push(`alarms.email: "${e}" is not an email address`);
  for (const u of alarms.https) if (!/^https:\/\/[^\s]+$/.test(u)) p.push(`alarms.https: "${u}" is not an https:// URL`);
  if (!Number.isInteger(alarms.periodSeconds) || alarms.periodSeconds < 60 || alarms.periodSeconds % 60 !== 0) p.push(`alarms.periodSeconds must be 60 or a multiple of 60 (got ${alarms.periodSeconds})`);
  intIn(p, "alarms.evaluationPeriods", alarms.evaluationPeriods, 1, 1440);
  intIn(p, "alarms.datapointsToAlarm", alarms.datapointsToAlarm, 1, alarms.evaluationPeriods);
  if (!(alarms.api5xxRate > 0 && alarms.api5xxRate <= 1)) p.push(`alarms.api5xxRate must be above 0 and at most 1 (a share of requests) (got ${alarms.api5xxRate})`);
  const timeoutMs = API_GATEWAY_QUOTAS.integrationTimeoutMs;
  if (!(alarms.apiLatencyP99Ms > 0 && alarms.apiLatencyP99Ms <= timeoutMs)) p.push(`alarms.apiLatencyP99Ms must be above 0 and at most ${timeoutMs} (API Gateway's timeout) (got ${alarms.apiLatencyP99Ms})`);

  if (c.allowedOrigins.length === 0) p.push("allowedOrigins must list at least one origin");
  for (const o of c.allowedOrigins) {
    if (!origin(o)) p.push(`allowedOrigins: "${o}" is not an origin like https://app.example.com (no path, no trailing slash)`);
  }

  // Which names exist is checked against the declarations (pipeline/registry.ts); the values are checked here.
  for (const [name, f] of Object.entries(c.functions ?? {})) {
    if (f.memoryMb !== undefined) intIn(p, `functions.${name}.memoryMb`, f.memoryMb, 128, 10240);
    if (f.timeoutSeconds !== undefined) intIn(p, `functions.${name}.timeoutSeconds`, f.timeoutSeconds, 1, 900);
  }
  retention(p, "logRetentionDays", c.logRetentionDays);

  intIn(p, "presign.urlExpiresSeconds", c.presign.urlExpiresSeconds, 1, MAX_PRESIGNED_URL_SECONDS);
  for (const t of c.presign.allowedContentTypes) {
    if (!MIME.test(t)) p.push(`presign.allowedContentTypes: "${t}" is not a lower-case type/subtype`);
  }

  intIn(p, "eventDelivery.maxRetryAttempts", c.eventDelivery.maxRetryAttempts, 0, 2);
  intIn(p, "eventDelivery.maxEventAgeSeconds", c.eventDelivery.maxEventAgeSeconds, 60, 21600);

  if (c.api.stages.length === 0) p.push("api.stages must name at least one stage");
  if (new Set(c.api.stages).size !== c.api.stages.length) p.push("api.stages must not repeat a name");
  for (const s of c.api.stages) if (!STAGE.test(s)) p.push(`api.stages: "${s}" must match ${STAGE}`);
  intIn(p, "api.throttle.burstLimit", c.api.throttle.burstLimit, 1, 5000);
  if (!(c.api.throttle.rateLimit > 0 && c.api.throttle.rateLimit <= 10000)) {
    p.push(`api.throttle.rateLimit must be above 0 and at most 10000 (got ${c.api.throttle.rateLimit})`);
  }
  retention(p, "api.accessLogRetentionDays", c.api.accessLogRetentionDays);

  const a = c.api.auth;
  intIn(p, "api.auth.cacheTtlSeconds", a.cacheTtlSeconds, 0, 3600);
  if (a.enabled) {
    if (Boolean(a.jwksUrl) === Boolean(a.jwtSecretParam)) {
      p.push("api.auth needs exactly one of jwksUrl (RS256/ES256) or jwtSecretParam (HS256)");
    }
    if (a.jwksUrl !== undefined && !/^https:\/\/[^\s]+$/.test(a.jwksUrl)) p.push(`api.auth.jwksUrl must be an https URL (got "${a.jwksUrl}")`);
    if (a.jwtSecretParam !== undefined && !/^\/[A-Za-z0-9_.\-/]{1,1010}$/.test(a.jwtSecretParam)) {
      p.push(`api.auth.jwtSecretParam must be an SSM parameter name starting with "/" (got "${a.jwtSecretParam}")`);
    }
    // The environment's permissions boundary lets its roles read parameters under /<app>/<env>/ only.
    else if (a.jwtSecretParam !== undefined && !a.jwtSecretParam.startsWith(`/${c.app}/${c.env}/`)) {
      p.push(`api.auth.jwtSecretParam must lie under /${c.app}/${c.env}/ (the environment's permissions boundary allows no other) (got "${a.jwtSecretParam}")`);
    }
  }
  if (p.length > 0) throw new ConfigError(p, c.env);
}
