import { App, TerraformStack, Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { dependOn } from "../../constructs/in-stack-address";

// dependOn writes plain addresses where the dependsOn option would make a token per entry: the file must not differ.
function stackWith(build: (stack: TerraformStack) => void): unknown {
  const app = new App({ outdir: "/nonexistent-never-written", skipValidation: true });
  const stack = new TerraformStack(app, "s");
  build(stack);
  return JSON.parse(Testing.synth(stack));
}

test("dependOn writes depends_on exactly as the dependsOn option does, after what was already there", () => {
  const withOption = stackWith((s) => {
    const a = new CloudwatchLogGroup(s, "a", { name: "a" });
    const b = new SqsQueue(s, "b", { name: "b" });
    new SqsQueue(s, "c", { name: "c", dependsOn: [a, b] });
  });
  const withHelper = stackWith((s) => {
    const a = new CloudwatchLogGroup(s, "a", { name: "a" });
    const b = new SqsQueue(s, "b", { name: "b" });
    dependOn(dependOn(new SqsQueue(s, "c", { name: "c" }), [a]), [b]);
  });
  expect(withHelper).toEqual(withOption);
  expect((withHelper as any).resource.aws_sqs_queue.c.depends_on).toEqual(["aws_cloudwatch_log_group.a", "aws_sqs_queue.b"]);
});

test("a dependency in another stack is refused, naming both (it needs cdktf's cross-stack reference)", () => {
  const app = new App({ outdir: "/nonexistent-never-written", skipValidation: true });
  const here = new TerraformStack(app, "here");
  const there = new TerraformStack(app, "there");
  const elsewhere = new CloudwatchLogGroup(there, "logs", { name: "logs" });
  expect(() => dependOn(new SqsQueue(here, "queue", { name: "q" }), [elsewhere])).toThrow("there/logs is not in the stack of here/queue");
});
