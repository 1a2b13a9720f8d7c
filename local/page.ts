import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../pipeline/project-root";

const PAGE_DIR = path.join(PROJECT_ROOT, "local", "page");

export interface PageConfig {
  readonly api: string;
  readonly token: string;
}

/** A page with its configuration (API base URL and token endpoint) injected; "<" escaped for the script. */
function withConfig(file: string, config: PageConfig): string {
  const json = JSON.stringify(config).replace(/</g, "\\u003c");
  return readFileSync(path.join(PAGE_DIR, file), "utf8").replace("<!--config-->", `<script>window.DDN_LOCAL = ${json};</script>`);
}

let uppyBundle: Promise<string> | undefined;

/** @uppy/core and @uppy/aws-s3 from node_modules, bundled once for the browser as window.UppyBundle. */
function bundleUppy(): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  uppyBundle ??= esbuild
    .build({
      stdin: { contents: 'export { default as Uppy } from "@uppy/core";\nexport { default as AwsS3 } from "@uppy/aws-s3";\n', resolveDir: PROJECT_ROOT, sourcefile: "uppy-bundle.js" },
      bundle: true,
      format: "iife",
      globalName: "UppyBundle",
      platform: "browser",
      target: "chrome120",
      minify: true,
      write: false,
      logLevel: "silent",
    })
    .then((r) => r.outputFiles[0]!.text);
  return uppyBundle;
}

/** The pages `npm run local` serves, by path: the upload page and the Uppy page with their scripts. */
export const PAGE_PATHS = ["/", "/upload.js", "/uppy", "/uppy.js", "/uppy-page.js"] as const;

export async function pageFile(pathname: string, config: PageConfig): Promise<{ type: string; body: string } | undefined> {
  const html = "text/html; charset=utf-8";
  const js = "text/javascript; charset=utf-8";
  switch (pathname) {
    case "/":
      return { type: html, body: withConfig("index.html", config) };
    case "/upload.js":
      return { type: js, body: readFileSync(path.join(PAGE_DIR, "upload.js"), "utf8") };
    case "/uppy":
      return { type: html, body: withConfig("uppy.html", config) };
    case "/uppy-page.js":
      return { type: js, body: readFileSync(path.join(PAGE_DIR, "uppy-page.js"), "utf8") };
    case "/uppy.js":
      return { type: js, body: await bundleUppy() };
    default:
      return undefined;
  }
}
