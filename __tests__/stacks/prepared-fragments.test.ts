import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { loadConfig } from "../../config";
import { addPipeline, type PipelineStacks } from "../../stacks/app";
import type { StateBackendSettings } from "../../stacks/state-backend";
import { ENVIRONMENTS } from "./synth";

// The stacks write each element's fragment from cdktf's preparing pass instead of resolving it again, and
// assemble the stack without cdktf's final walk (stacks/prepared-fragments.ts, stacks/stack-json.ts). What must
// hold: the files are what cdktf's own toTerraform resolves afresh, tokens in a stack's overrides are still
// resolved, and a change made after a synth is not hidden by a fragment kept from it.
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function synthesized(env: string, backend: StateBackendSettings = {}, beforeSynth: (stacks: PipelineStacks) => void = () => {}): { outdir: string; stacks: PipelineStacks } {
  const outdir = mkdtempSync(path.join(tmpdir(), `ddn-prepared-${env}-`));
  dirs.push(outdir);
  const app = new App({ outdir });
  const stacks = addPipeline(app, loadConfig(env), backend);
  beforeSynth(stacks);
  app.synth();
  return { outdir, stacks };
}

const written = (outdir: string, stack: TerraformStack): unknown => JSON.parse(readFileSync(path.join(outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8"));
/** cdktf's own method, not the stack's override: every element and the whole stack resolved afresh. */
const cdktfOwn = (stack: TerraformStack): unknown => TerraformStack.prototype.toTerraform.call(stack);

/** As written: JSON (no undefined members). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

// The S3 backend adds a stack-level override (use_lockfile): the assembly merges it as cdktf does.
const BACKENDS: Array<[string, StateBackendSettings]> = [["local state", {}], ["S3 state", { bucket: "example-state-bucket", region: "us-east-1" }]];

describe.each(ENVIRONMENTS)("%s", (env) => {
  test.each(BACKENDS)("%s: every stack as written is what cdktf's own toTerraform resolves afresh", (_name, backend) => {
    const { outdir, stacks } = synthesized(env, backend);
    for (const stack of Object.values(stacks)) {
      // After the synth the fragments are released: both resolve every element again.
      expect(asJson(cdktfOwn(stack))).toEqual(written(outdir, stack));
      expect(asJson(stack.toTerraform())).toEqual(written(outdir, stack));
    }
  });
});

test("a token in a stack's own override is resolved in the file (cdktf's final walk still runs for it)", () => {
  const { outdir, stacks } = synthesized(ENVIRONMENTS[0]!, {}, ({ storage }) => {
    storage.addOverride("output.override_token.value", storage.inBucket.arn);
  });
  const file = written(outdir, stacks.storage) as { output: Record<string, { value: string }> };
  expect(file.output.override_token!.value).toMatch(/^\$\{aws_s3_bucket\.[A-Za-z0-9_-]+\.arn\}$/);
  expect(file).toEqual(asJson(cdktfOwn(stacks.storage)));
});

test("an element changed after a synth is resolved with the change (nothing kept from the synth)", () => {
  const { stacks } = synthesized(ENVIRONMENTS[0]!);
  const queue = stacks.compute.node.findAll().find((c): c is SqsQueue => c instanceof SqsQueue);
  expect(queue).toBeDefined();
  queue!.addOverride("tags.changed_after_synth", "yes");
  const queues = (stacks.compute.toTerraform() as { resource: Record<string, Record<string, { tags?: Record<string, string> }>> }).resource.aws_sqs_queue!;
  expect(Object.values(queues).some((q) => q.tags?.changed_after_synth === "yes")).toBe(true);
});
