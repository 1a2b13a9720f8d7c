import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { loadConfig } from "../../config";
import { addPipeline, type PipelineStacks } from "../../stacks/app";
import { ENVIRONMENTS } from "./synth";

// The stacks write each element's fragment from cdktf's preparing pass instead of resolving it again
// (stacks/prepared-fragments.ts). What must hold: the files are what cdktf resolves afresh, and a change made
// after a synth is not hidden by a fragment kept from it.
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function synthesized(env: string): { outdir: string; stacks: PipelineStacks } {
  const outdir = mkdtempSync(path.join(tmpdir(), `ddn-prepared-${env}-`));
  dirs.push(outdir);
  const app = new App({ outdir });
  const stacks = addPipeline(app, loadConfig(env));
  app.synth();
  return { outdir, stacks };
}

/** As written: JSON (no undefined members). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe.each(ENVIRONMENTS)("%s", (env) => {
  test("every stack as written is the stack resolved afresh", () => {
    const { outdir, stacks } = synthesized(env);
    for (const stack of Object.values(stacks)) {
      const written: unknown = JSON.parse(readFileSync(path.join(outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8"));
      // After the synth the fragments are released: this toTerraform resolves every element again.
      expect(asJson(stack.toTerraform())).toEqual(written);
    }
  });
});

test("an element changed after a synth is resolved with the change (nothing kept from the synth)", () => {
  const { stacks } = synthesized(ENVIRONMENTS[0]!);
  const queue = stacks.compute.node.findAll().find((c): c is SqsQueue => c instanceof SqsQueue);
  expect(queue).toBeDefined();
  queue!.addOverride("tags.changed_after_synth", "yes");
  const queues = (stacks.compute.toTerraform() as { resource: Record<string, Record<string, { tags?: Record<string, string> }>> }).resource.aws_sqs_queue!;
  expect(Object.values(queues).some((q) => q.tags?.changed_after_synth === "yes")).toBe(true);
});
