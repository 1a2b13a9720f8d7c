import { readFileSync } from "node:fs";
import * as path from "node:path";
import { RULES } from "../policy/rules";
import type { PipelineStacks } from "../stacks/app";

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** One line per written stack and per bundle, so a synth run says what it produced. */
export function synthReport(outdir: string, stacks: PipelineStacks, elapsedMs: number): string {
  const lines: string[] = [];
  const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
  for (const stack of Object.values(stacks)) {
    const file = path.join(outdir, manifest.stacks[stack.node.id]!.synthesizedStackPath);
    const text = readFileSync(file, "utf8");
    // cdk.tf.json normally; cdk.tf (HCL) under `cdktf synth --hcl` / SYNTH_HCL_OUTPUT=true.
    const count = file.endsWith(".json")
      ? Object.values((JSON.parse(text) as { resource?: Record<string, object> }).resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0)
      : (text.match(/^resource "/gm) ?? []).length;
    lines.push(`  ${stack.node.id.padEnd(20)} ${String(count).padStart(3)} resources  ${path.relative(process.cwd(), file)}`);
  }
  for (const [name, fn] of stacks.compute.functions) {
    const b = fn.bundle;
    lines.push(`  bundle ${name.padEnd(13)} ${kb(b.bytes.js).padStart(9)} js ${kb(b.bytes.zip).padStart(9)} zip${b.cached ? "  (unchanged, reused)" : ""}`);
  }
  const suppressed = Object.values(stacks).flatMap((stack) => stack.policyGate.result.suppressed);
  lines.push(`  policy gate: ${RULES.length} rules, 0 violations, ${suppressed.length} accepted exception(s)`);
  for (const s of suppressed) lines.push(`    accepted ${s.ruleId} on ${s.address}: ${s.reason}`);
  return `Synthesized ${stacks.storage.config.app}-${stacks.storage.config.env} in ${elapsedMs} ms:\n${lines.join("\n")}\n`;
}
