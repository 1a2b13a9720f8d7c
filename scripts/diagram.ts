// `npm run diagram`: writes docs/architecture.md (a Mermaid diagram) from the synthesized output.
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { architectureDoc } from "../delivery/diagram";
import { SynthesizedApp } from "../synth/synthesized-app";

const root = path.resolve(__dirname, "..");
const env = process.env.DDN_ENV || "dev";
const app = new SynthesizedApp(path.join(root, "cdktf.out"), ["storage", "iam", "compute", "api"].map((p) => `ddn-${env}-${p}`));
if (Object.keys(app.stacks).length !== 4) throw new Error(`cdktf.out does not hold the four ddn-${env} stacks: run \`DDN_ENV=${env} npm run synth\` first`);
mkdirSync(path.join(root, "docs"), { recursive: true });
writeFileSync(path.join(root, "docs", "architecture.md"), architectureDoc(app, env));
console.log(`wrote docs/architecture.md from the ddn-${env} stacks`);
