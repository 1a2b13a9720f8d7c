import * as path from "node:path";
import { PROJECT_ROOT } from "../pipeline/project-root";
import { bundleCacheDir } from "../synth/build-cache";
import { bundleFunction, bundleFunctions, type Bundle, type BundleOptions } from "./bundle";

/** Bundles of the declared functions by entry (functions/<name>/index.ts), built before the stacks need them. */
export type PreparedBundles = ReadonlyMap<string, Bundle>;

function optionsFor(entry: string): BundleOptions {
  // Built in the cache, outside cdktf.out (TerraformAsset copies them in at synth). Keyed by entry, not function
  // name: every environment shares one bundle of the same source.
  return { entry, projectRoot: PROJECT_ROOT, outDir: path.join(bundleCacheDir(PROJECT_ROOT), entry.replace(/\.[cm]?[jt]s$/, "").replace(/[\\/]/g, "_")) };
}

/** One handler's bundle, built now if it is not in the cache. */
export function functionBundle(entry: string): Bundle {
  return bundleFunction(optionsFor(entry));
}

/** Every handler's bundle at once, in the background: start it before loading cdktf, await it before the stacks. */
export async function prepareBundles(entries: readonly string[]): Promise<PreparedBundles> {
  const unique = [...new Set(entries)];
  const bundles = await bundleFunctions(unique.map(optionsFor));
  return new Map(unique.map((entry, i) => [entry, bundles[i]!]));
}
