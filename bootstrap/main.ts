// The once-per-account bootstrap (state bucket, GitHub OIDC provider, plan/deploy roles). Wiring only.
// npm run bootstrap:synth; then: npx cdktf deploy ddn-bootstrap --app "node synth/precompiled.js bootstrap/main.ts"
// DDN_BOOTSTRAP_ACCOUNT=<12 digits> for the environments that name that account (config/environments.ts).
import { App } from "cdktf";
import { bootstrapAccounts, bootstrapCommand, loadBootstrapConfig } from "../config/bootstrap";
import { writeAtomically } from "../synth/atomic-outdir";
import { BootstrapStack } from "../stacks/bootstrap-stack";

try {
  const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
  const config = loadBootstrapConfig();
  const stack = writeAtomically(outdir, (staging) => {
    const app = new App({ outdir: staging });
    const s = new BootstrapStack(app, "ddn-bootstrap", config);
    app.synth();
    return s;
  });
  const where = config.account ? `account ${config.account} only` : "the account it runs in";
  process.stdout.write(`Synthesized ddn-bootstrap into ${outdir}/stacks/ddn-bootstrap/cdk.tf.json: ${where}, environments ${config.environments.map((e) => e.name).join(", ")}\n`);
  for (const other of bootstrapAccounts().filter((a) => a !== config.account)) process.stdout.write(`  another account's environments: ${bootstrapCommand(other)}\n`);
  for (const s of stack.policyGate.result.suppressed) process.stdout.write(`  policy: accepted ${s.ruleId} on ${s.address}: ${s.reason}\n`);
} catch (error) {
  process.stderr.write(`bootstrap synth failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
