import type { ChainResult, StackPlan } from "./plan-chain";
import { PLACEHOLDER_MARK } from "./planned-outputs";

export interface SummaryContext {
  readonly env: string;
  readonly mode: "offline" | "account";
  readonly terraformVersion: string;
}

const total = (p: StackPlan) => p.counts.create + p.counts.update + p.counts.replace + p.counts.delete;

function header(r: ChainResult, c: SummaryContext): string {
  const provider = r.providerVersion && r.providerVersion !== r.pinnedVersion ? `hashicorp/aws ${r.providerVersion} (the stacks pin ${r.pinnedVersion}; a local mirror had only this one)` : `hashicorp/aws ${r.providerVersion ?? "?"}`;
  const mode = c.mode === "offline" ? "offline: no AWS account, no deployed state" : "against the account's state (TF_STATE_BUCKET)";
  return `Terraform ${c.terraformVersion}, ${provider}; ${mode}.`;
}

/** One line per stack for the terminal, then replacements, placeholders and warnings. */
export function terminalSummary(r: ChainResult, c: SummaryContext): string {
  const lines = [`Plan of ${c.env} — ${header(r, c)}`];
  for (const p of r.plans) {
    lines.push(`  ${p.stack.padEnd(22)} ${String(p.counts.create).padStart(3)} to add  ${String(p.counts.update).padStart(3)} to change  ${String(p.counts.replace).padStart(3)} to replace  ${String(p.counts.delete).padStart(3)} to destroy${total(p) === 0 ? "  (no changes)" : ""}`);
    for (const a of p.replaced) lines.push(`      replaced: ${a}`);
    for (const w of p.warnings) lines.push(`      warning: ${w}`);
    if (p.placeholders.length) lines.push(`      ${p.placeholders.length} input(s) known only after apply, planned with "${PLACEHOLDER_MARK}" placeholders:`);
    for (const x of p.placeholders) lines.push(`        ${x}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The same as Markdown, for the job summary and the pull-request comment. */
export function markdownSummary(r: ChainResult, c: SummaryContext): string {
  const lines = [
    `### Plan: ${c.env}`,
    "",
    header(r, c),
    "",
    "| stack | add | change | replace | destroy |",
    "|---|---:|---:|---:|---:|",
    ...r.plans.map((p) => `| \`${p.stack}\` | ${p.counts.create} | ${p.counts.update} | ${p.counts.replace} | ${p.counts.delete} |`),
    "",
  ];
  const replaced = r.plans.flatMap((p) => p.replaced.map((a) => `- \`${p.stack}\`: \`${a}\``));
  if (replaced.length) lines.push("**Replaced (destroyed and re-created):**", "", ...replaced, "");
  const warnings = r.plans.flatMap((p) => p.warnings.map((w) => `- \`${p.stack}\`: ${w}`));
  if (warnings.length) lines.push("**Warnings:**", "", ...warnings, "");
  const placeholders = r.plans.flatMap((p) => p.placeholders.map((x) => `- \`${p.stack}\` ← ${x}`));
  if (placeholders.length) {
    lines.push(
      `<details><summary>${placeholders.length} cross-stack input(s) known only after apply (planned with <code>${PLACEHOLDER_MARK}-…</code> placeholders)</summary>`,
      "",
      ...placeholders,
      "",
      "</details>",
      "",
    );
  }
  return lines.join("\n");
}
