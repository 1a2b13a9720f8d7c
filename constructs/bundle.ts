import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildSync, type BuildOptions } from "esbuild";
import { zipDeterministic } from "./zip";

export interface BundleOptions {
  /** Handler entry, relative to the project root, e.g. functions/presign/index.ts */
  readonly entry: string;
  /** Project root (where package.json and cdktf.json live). */
  readonly projectRoot: string;
  /** Where the zip is written; a directory outside cdktf.out so synth can copy it in. */
  readonly outDir: string;
}

export interface Bundle {
  /** Absolute path of the deterministic zip: index.js + index.js.map at its root. */
  readonly zipPath: string;
  /** base64 SHA-256 of the zip, the value Lambda reports as CodeSha256 (so no perpetual diff). */
  readonly sourceCodeHash: string;
  /** hex SHA-256 of the zip, short form used in the asset path. */
  readonly assetHash: string;
  readonly bytes: { readonly js: number; readonly zip: number };
}

/**
 * Fixed esbuild settings: same source, same bytes. Node 22 target matches the nodejs22.x runtime; CommonJS so
 * the handler is `index.handler`; the AWS SDK is bundled (not taken from the runtime) so the code that runs is
 * the code that was tested, at the pinned version.
 */
export const ESBUILD_OPTIONS: Readonly<BuildOptions> = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  sourcemap: "external",
  sourcesContent: false,
  legalComments: "none",
  mainFields: ["module", "main"],
  logLevel: "error",
  write: false,
  metafile: false,
};

export function bundleFunction(options: BundleOptions): Bundle {
  const result = buildSync({
    ...ESBUILD_OPTIONS,
    absWorkingDir: options.projectRoot,
    entryPoints: [options.entry],
    // Virtual: nothing is written by esbuild (write: false); the path only makes the source map's paths relative.
    outfile: path.join(options.outDir, "index.js"),
  });
  const files = result.outputFiles.map((f) => ({ name: path.basename(f.path), data: Buffer.from(f.contents) }));
  const js = files.find((f) => f.name === "index.js");
  if (!js) throw new Error(`esbuild produced no index.js for ${options.entry}`);
  const zip = zipDeterministic(files);
  mkdirSync(options.outDir, { recursive: true });
  const zipPath = path.join(options.outDir, "function.zip");
  writeFileSync(zipPath, zip);
  const digest = createHash("sha256").update(zip).digest();
  return {
    zipPath,
    sourceCodeHash: digest.toString("base64"),
    assetHash: digest.toString("hex").slice(0, 32),
    bytes: { js: js.data.length, zip: zip.length },
  };
}
