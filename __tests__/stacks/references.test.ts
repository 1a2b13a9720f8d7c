import { STACK_PARTS } from "../../config";
import { ENVIRONMENTS, expected, synthEnv, type Synthesized, type TfJson } from "./synth";

/** Every `${...}` expression in a value, recursively. */
function expressions(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    for (const m of value.matchAll(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g)) out.push(m[1]!);
  } else if (Array.isArray(value)) value.forEach((v) => expressions(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => expressions(v, out));
  return out;
}

/** Addresses referenced by an expression: resource.type.name, data.type.name (+ remote state output names). */
function references(expr: string): Array<{ kind: "resource" | "data"; type: string; name: string; rest: string }> {
  const refs = [];
  for (const m of expr.matchAll(/(?<![\w.])(data\.)?(aws_[a-z0-9_]+|terraform_remote_state)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_-]+)*)/g)) {
    refs.push({ kind: m[1] ? ("data" as const) : ("resource" as const), type: m[2]!, name: m[3]!, rest: m[4] ?? "" });
  }
  return refs;
}

describe.each(ENVIRONMENTS)("references (%s)", (env) => {
  const { names } = expected(env);
  let s: Synthesized;
  beforeAll(() => (s = synthEnv(env)));
  afterAll(() => s.cleanup());

  test("every ${...} reference resolves to something declared in the same stack", () => {
    const unresolved: string[] = [];
    let checked = 0;
    for (const [name, stack] of Object.entries(s.stacks)) {
      for (const expr of expressions({ ...stack, terraform: undefined })) {
        for (const ref of references(expr)) {
          checked++;
          const declared = ref.kind === "data" ? stack.data?.[ref.type]?.[ref.name] : stack.resource?.[ref.type]?.[ref.name];
          if (!declared) unresolved.push(`${name}: ${ref.kind === "data" ? "data." : ""}${ref.type}.${ref.name}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
    expect(checked).toBeGreaterThan(100); // the walk really saw the wiring
  });

  test("the checker itself catches a dangling reference", () => {
    const stack = s.stacks[names.stack("api")]!;
    const refs = expressions({ x: "${aws_lambda_function.nope.arn}" }).flatMap(references);
    expect(refs).toEqual([{ kind: "resource", type: "aws_lambda_function", name: "nope", rest: ".arn" }]);
    expect(stack.resource?.aws_lambda_function?.nope).toBeUndefined();
  });

  test("every remote-state output read by a stack is declared by the stack it comes from", () => {
    const missing: string[] = [];
    for (const [name, stack] of Object.entries(s.stacks)) {
      for (const expr of expressions({ ...stack, terraform: undefined })) {
        for (const ref of references(expr).filter((r) => r.type === "terraform_remote_state")) {
          const origin = ref.name.replace("cross-stack-reference-input-", "");
          const output = /^\.outputs\.([A-Za-z0-9_-]+)/.exec(ref.rest)?.[1];
          if (!output || !s.stacks[origin]?.output?.[output]) missing.push(`${name} -> ${origin}.${output}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test("cross-stack references flow storage <- iam <- compute <- api only", () => {
    const rank = (stack: string) => STACK_PARTS.findIndex((part) => stack === names.stack(part));
    for (const [name, stack] of Object.entries(s.stacks as Record<string, TfJson>)) {
      for (const origin of Object.keys(stack.data?.terraform_remote_state ?? {}).map((k) => k.replace("cross-stack-reference-input-", ""))) {
        expect(rank(origin)).toBeLessThan(rank(name));
      }
    }
    expect(Object.keys(s.stacks[names.stack("storage")]!.data?.terraform_remote_state ?? {})).toEqual([]);
  });
});
