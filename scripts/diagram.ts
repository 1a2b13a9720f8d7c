// `npm run diagram`: writes docs/architecture.md (a Mermaid diagram) from the synthesized output.
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_ENV, loadConfig, naming, STACK_PARTS } from "../config";
import { architectureDoc } from "../delivery/diagram";
import { SynthesizedApp } from "../synth/synthesized-app";
import { PROJECT_ROOT } from "../pipeline/project-root";

const env = process.env.DDN_ENV || DEFAULT_ENV;
const names = naming(loadConfig(env));
const app = new SynthesizedApp(path.join(PROJECT_ROOT, "cdktf.out"), STACK_PARTS.map((part) => names.stack(part)));
if (Object.keys(app.stacks).length !== STACK_PARTS.length) throw new Error(`cdktf.out does not hold the stacks of ${names.prefix}: run \`DDN_ENV=${env} npm run synth\` first`);
mkdirSync(path.join(PROJECT_ROOT, "docs"), { recursive: true });
writeFileSync(path.join(PROJECT_ROOT, "docs", "architecture.md"), architectureDoc(app, env));
console.log(`wrote docs/architecture.md from the ${names.prefix} stacks`);
