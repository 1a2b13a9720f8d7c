// The once-per-account bootstrap (state bucket, GitHub OIDC provider, plan/deploy roles). Wiring only.
// npm run bootstrap:synth; then: npx cdktf deploy ddn-bootstrap --app "node synth/precompiled.js bootstrap/main.ts"
import { App } from "cdktf";
import { loadBootstrapConfig } from "../config/bootstrap";
import { writeAtomically } from "../synth/atomic-outdir";
import { BootstrapStack } from "../stacks/bootstrap-stack";

try {
  const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
  const stack = writeAtomically(outdir, (staging) => {
    const app = new App({ outdir: staging });
    const s = new BootstrapStack(app, "ddn-bootstrap", loadBootstrapConfig());
    app.synth();
    return s;
  });
  process.stdout.write(`Synthesized ddn-bootstrap into ${outdir}/stacks/ddn-bootstrap/cdk.tf.json\n`);
  for (const s of stack.policyGate.result.suppressed) process.stdout.write(`  policy: accepted ${s.ruleId} on ${s.address}: ${s.reason}\n`);
} catch (error) {
  process.stderr.write(`bootstrap synth failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
