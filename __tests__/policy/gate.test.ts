import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App, TerraformResource } from "cdktf";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { environmentNames, loadConfig } from "../../config";
import { evaluate } from "../../policy/engine";
import { gateOptions } from "../../policy/gate-options";
import { loadFunctions } from "../../pipeline/registry";
import { suppressPolicy } from "../../policy/suppressions";
import type { TfJson } from "../../policy/types";
import { addPipeline, type PipelineStacks } from "../../stacks/app";
import { writeAtomically } from "../../synth/atomic-outdir";
import { synthEnv } from "../stacks/synth";

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A pipeline app whose synth a test changes first; its output directory is removed after the suite. */
function pipelineApp(env: string): { app: App; stacks: PipelineStacks } {
  const outdir = mkdtempSync(path.join(tmpdir(), "ddn-gate-"));
  outdirs.push(outdir);
  const app = new App({ outdir });
  return { app, stacks: addPipeline(app, loadConfig(env)) };
}

function find<T extends TerraformResource>(scope: { node: { findAll(): unknown[] } }, cls: abstract new (...a: any[]) => T): T[] {
  return scope.node.findAll().filter((c): c is T => c instanceof cls);
}

describe.each(environmentNames())("the real %s stacks", (env) => {
  test("pass every rule with zero violations (checked again on the written JSON)", () => {
    const s = synthEnv(env);
    try {
      for (const [name, json] of Object.entries(s.stacks)) {
        const { violations } = evaluate(json as TfJson, gateOptions(loadConfig(env), loadFunctions(loadConfig(env))));
        expect({ name, violations }).toEqual({ name, violations: [] });
      }
    } finally {
      s.cleanup();
    }
  });
});

describe("a violation stops the synth", () => {
  test("with the rule id, the resource address, the construct path and how to fix it", () => {
    const { app, stacks } = pipelineApp("dev");
    const [settings] = find(stacks.api, ApiGatewayMethodSettings);
    settings!.addOverride("settings.data_trace_enabled", true);
    let message = "";
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("policy APIGW.7 aws_api_gateway_method_settings.stage-dev-settings (ddn-dev-api/stage-dev-settings): data trace logging is on.");
    expect(message).toContain("Fix: Set settings { data_trace_enabled = false }");
  });

  test("an insecure bucket policy in storage names S3.4 and S3.7", () => {
    const { app, stacks } = pipelineApp("prod");
    const [policy] = find(stacks.storage, S3BucketPolicy);
    policy!.addOverride("policy", JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }] }));
    expect(() => app.synth()).toThrow(/policy S3\.4 aws_s3_bucket\.in-bucket[\s\S]*policy S3\.7 aws_s3_bucket_policy\.in-bucket-policy/);
  });
});

describe("suppressions", () => {
  test("an explicit, reasoned suppression accepts the finding and is reported", () => {
    const { app, stacks } = pipelineApp("dev");
    const [settings] = find(stacks.api, ApiGatewayMethodSettings);
    settings!.addOverride("settings.data_trace_enabled", true);
    suppressPolicy(settings!, "APIGW.7", "Temporary: debugging a mapping template in dev, remove by 2026-12-01");
    app.synth();
    expect(stacks.api.policyGate.result.violations).toEqual([]);
    expect(stacks.api.policyGate.result.suppressed).toEqual([
      { ruleId: "APIGW.7", address: "aws_api_gateway_method_settings.stage-dev-settings", reason: "Temporary: debugging a mapping template in dev, remove by 2026-12-01" },
    ]);
  });

  test("a suppression needs a known rule and a real reason", () => {
    const { stacks } = pipelineApp("dev");
    const [settings] = find(stacks.api, ApiGatewayMethodSettings);
    expect(() => suppressPolicy(settings!, "NOPE.1", "a reason that is long enough")).toThrow('unknown rule "NOPE.1"');
    expect(() => suppressPolicy(settings!, "APIGW.7", "because")).toThrow("needs a reason");
  });
});

describe("prod defaults are secure without extra flags", () => {
  const prod = loadConfig("prod");
  test("auth on, explicit origins, throttling, a year of access logs, no force_destroy", () => {
    expect(prod.api.auth.enabled).toBe(true);
    expect(prod.allowedOrigins.length).toBeGreaterThan(0);
    expect(prod.allowedOrigins).not.toContain("*");
    for (const o of prod.allowedOrigins) expect(o.startsWith("https://")).toBe(true);
    expect(prod.api.throttle.burstLimit).toBeGreaterThan(0);
    expect(prod.api.throttle.rateLimit).toBeGreaterThan(0);
    expect(prod.api.accessLogRetentionDays).toBeGreaterThanOrEqual(365);
    expect(prod.storage.forceDestroy).toBe(false);
  });

  test("and the synthesized prod stacks say so", () => {
    const s = synthEnv("prod");
    try {
      const storage = s.stacks["ddn-prod-storage"]!;
      for (const b of Object.values(storage.resource!.aws_s3_bucket!)) expect((b as any).force_destroy).toBe(false);
      const api = s.stacks["ddn-prod-api"]!;
      const groups = Object.values(api.resource!.aws_cloudwatch_log_group!) as any[];
      expect(groups.every((g) => g.retention_in_days >= 365)).toBe(true);
      expect(Object.keys(api.resource!.aws_api_gateway_authorizer!)).toHaveLength(1);
    } finally {
      s.cleanup();
    }
  });
});

describe("output is replaced atomically", () => {
  test("a failed synth leaves the previous output as it was; a good one replaces it whole", () => {
    const root = mkdtempSync(path.join(tmpdir(), "ddn-atomic-"));
    const outdir = path.join(root, "cdktf.out");
    mkdirSync(outdir);
    writeFileSync(path.join(outdir, "previous.json"), "old");
    expect(() =>
      writeAtomically(outdir, (staging) => {
        writeFileSync(path.join(staging, "half.json"), "new");
        throw new Error("policy APIGW.7 ...");
      }),
    ).toThrow("policy APIGW.7");
    expect(readdirSync(outdir)).toEqual(["previous.json"]);
    expect(readdirSync(root)).toEqual(["cdktf.out"]); // no staging directory left behind
    writeAtomically(outdir, (staging) => writeFileSync(path.join(staging, "fresh.json"), "new"));
    expect(readdirSync(outdir)).toEqual(["fresh.json"]);
    expect(readFileSync(path.join(outdir, "fresh.json"), "utf8")).toBe("new");
    expect(existsSync(path.join(root, "cdktf.out"))).toBe(true);
    rmSync(root, { recursive: true, force: true });
  });
});
