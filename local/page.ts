import { readFileSync } from "node:fs";
import * as path from "node:path";

const PAGE_DIR = path.join(__dirname, "page");

/** The upload page with its configuration (API base URL and token endpoint) injected; "<" escaped for the script. */
export function uploadPage(config: { api: string; token: string }): string {
  const json = JSON.stringify(config).replace(/</g, "\\u003c");
  return readFileSync(path.join(PAGE_DIR, "index.html"), "utf8").replace("<!--config-->", `<script>window.DDN_LOCAL = ${json};</script>`);
}

export function uploadScript(): string {
  return readFileSync(path.join(PAGE_DIR, "upload.js"), "utf8");
}
