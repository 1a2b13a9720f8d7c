import { ConfigError, environmentNames, loadConfig, UnknownEnvironmentError, validateConfig, type EnvironmentConfig } from "../config";

const dev = loadConfig("dev");
const bad = (patch: (c: any) => void): EnvironmentConfig => {
  const c = structuredClone(dev) as any;
  patch(c);
  return c;
};

describe("config", () => {
  test("dev and prod exist and validate; dev is the default", () => {
    expect(environmentNames()).toEqual(expect.arrayContaining(["dev", "prod"]));
    expect(loadConfig().env).toBe("dev");
    expect(loadConfig("prod").env).toBe("prod");
  });

  test("an unknown environment names the valid ones", () => {
    expect(() => loadConfig("no-such-env")).toThrow(UnknownEnvironmentError);
    expect(() => loadConfig("no-such-env")).toThrow(`Unknown environment "no-such-env" (DDN_ENV). Valid environments: ${environmentNames().join(", ")}.`);
    expect(() => loadConfig("__proto__")).toThrow(UnknownEnvironmentError);
  });

  test.each([
    ["negative memory", (c: any) => (c.functions = { process: { memoryMb: -1 } }), "functions.process.memoryMb must be a whole number from 128 to 10240 (got -1)"],
    ["expiry over 7 days", (c: any) => (c.presign.urlExpiresSeconds = 604801), "presign.urlExpiresSeconds must be a whole number from 1 to 604800"],
    ["empty origin list", (c: any) => (c.allowedOrigins = []), "allowedOrigins must list at least one origin"],
    ["origin with a path", (c: any) => (c.allowedOrigins = ["https://a.example.com/app"]), "is not an origin"],
    ["retention CloudWatch refuses", (c: any) => (c.logRetentionDays = 10), "logRetentionDays must be one of"],
    ["timeout over 900", (c: any) => (c.functions = { presign: { timeoutSeconds: 901 } }), "functions.presign.timeoutSeconds"],
    ["no stage", (c: any) => (c.api.stages = []), "api.stages must name at least one stage"],
    ["both key sources", (c: any) => (c.api.auth.jwksUrl = "https://x.example.com/jwks"), "exactly one of jwksUrl"],
    ["retries over 2", (c: any) => (c.eventDelivery.maxRetryAttempts = 3), "eventDelivery.maxRetryAttempts"],
    ["a secret outside the environment's parameters", (c: any) => (c.api.auth.jwtSecretParam = "/other/secret"), `api.auth.jwtSecretParam must lie under /ddn/`],
    ["an alarm email that is not one", (c: any) => (c.alarms = { email: ["ops at example"] }), 'alarms.email: "ops at example" is not an email address'],
    ["an alarm webhook over http", (c: any) => (c.alarms = { https: ["http://hooks.example.com/x"] }), "alarms.https"],
    ["an alarm period CloudWatch refuses", (c: any) => (c.alarms = { periodSeconds: 90 }), "alarms.periodSeconds must be 60 or a multiple of 60"],
    ["more datapoints than periods", (c: any) => (c.alarms = { evaluationPeriods: 2, datapointsToAlarm: 3 }), "alarms.datapointsToAlarm must be a whole number from 1 to 2"],
    ["a 5xx rate as a percentage", (c: any) => (c.alarms = { api5xxRate: 5 }), "alarms.api5xxRate must be above 0 and at most 1"],
    ["an account id with a dash", (c: any) => (c.account = "1234-5678-9012"), 'account must be a 12-digit AWS account id (got "1234-5678-9012")'],
  ])("rejects %s with a clear message", (_name, patch, message) => {
    expect(() => validateConfig(bad(patch))).toThrow(ConfigError);
    expect(() => validateConfig(bad(patch))).toThrow(message);
  });

  test("reports every problem at once", () => {
    try {
      validateConfig(bad((c) => ((c.functions = { status: { memoryMb: 0 } }), (c.allowedOrigins = []))));
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(2);
    }
  });
});
