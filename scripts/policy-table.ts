// Rewrites the policy rule table in README.md from policy/rules (run after adding or changing a rule).
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ruleTable, TABLE_END, TABLE_START } from "../policy/table";
import { PROJECT_ROOT } from "../pipeline/project-root";

const readme = path.join(PROJECT_ROOT, "README.md");
const text = readFileSync(readme, "utf8");
const start = text.indexOf(TABLE_START);
const end = text.indexOf(TABLE_END);
if (start < 0 || end < 0) throw new Error(`README.md has no ${TABLE_START} ... ${TABLE_END} block`);
writeFileSync(readme, text.slice(0, start) + ruleTable() + text.slice(end + TABLE_END.length));
console.log("README.md policy table updated");
