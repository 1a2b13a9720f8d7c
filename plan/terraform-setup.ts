import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";

/** Where Terraform gets the AWS provider from: a filesystem mirror on this machine, or the public registry. */
export type ProviderSource = { readonly kind: "mirror"; readonly dir: string; readonly versions: readonly string[] } | { readonly kind: "registry" };

export interface TerraformSetup {
  readonly terraformVersion: string;
  readonly source: ProviderSource;
}

const PLATFORM = `${process.platform === "win32" ? "windows" : process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
const AWS_PROVIDER = path.join("registry.terraform.io", "hashicorp", "aws");

/** The AWS provider versions a mirror directory (unpacked layout) holds for this platform, newest first. */
export function mirrorVersions(dir: string): string[] {
  const base = path.join(dir, AWS_PROVIDER);
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, PLATFORM)) && readdirSync(path.join(base, v, PLATFORM)).some((f) => f.startsWith("terraform-provider-aws")))
    .sort((a, b) => compareVersions(b, a));
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Terraform's implied local mirror directories on Unix (see the CLI configuration docs). */
function standardPluginDirs(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME || homedir();
  const dataDirs = (env.XDG_DATA_DIRS || "/usr/local/share:/usr/share").split(":").filter(Boolean);
  return [path.join(home, ".terraform.d", "plugins"), path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "terraform", "plugins"), ...dataDirs.map((d) => path.join(d, "terraform", "plugins"))];
}

/** A bounded walk of the usual install roots for a directory holding registry.terraform.io/hashicorp/aws. */
function searchInstallRoots(env: NodeJS.ProcessEnv, maxDepth = 4): string | undefined {
  const roots = ["/opt", "/usr/local", "/usr/share", "/srv", env.HOME || homedir()];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number): string | undefined => {
    if (depth > maxDepth || seen.has(dir)) return undefined;
    seen.add(dir);
    if (mirrorVersions(dir).length > 0) return dir;
    let entries: string[] = [];
    try {
      entries = readdirSync(dir).filter((n) => !n.startsWith(".") && n !== "node_modules" && n !== "proc");
    } catch {
      return undefined;
    }
    for (const name of entries) {
      const child = path.join(dir, name);
      try {
        if (!statSync(child).isDirectory()) continue;
      } catch {
        continue;
      }
      const found = walk(child, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  for (const root of roots) {
    const found = existsSync(root) ? walk(root, 0) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** TF_PROVIDER_MIRROR, else Terraform's standard plugin directories, else a search of the usual install roots. */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TF_PROVIDER_MIRROR) return mirrorVersions(env.TF_PROVIDER_MIRROR).length > 0 ? env.TF_PROVIDER_MIRROR : undefined;
  return standardPluginDirs(env).find((d) => mirrorVersions(d).length > 0) ?? searchInstallRoots(env);
}

/** Can `terraform init` reach the public registry? Probed once, with a short timeout. */
function registryReachable(): boolean {
  const r = spawnSync("terraform", ["version"], { encoding: "utf8" });
  if (r.status !== 0) return false;
  const probe = spawnSync(process.execPath, ["-e", "fetch('https://registry.terraform.io/.well-known/terraform.json',{signal:AbortSignal.timeout(5000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"], { encoding: "utf8" });
  return probe.status === 0;
}

/**
 * What is needed to run Terraform here, or why it cannot run (the caller skips visibly or stops with that
 * reason): terraform on PATH, and the AWS provider from a local mirror or the registry.
 */
export function detectTerraform(env: NodeJS.ProcessEnv = process.env): TerraformSetup | { unavailable: string } {
  const version = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", env: { ...env, CHECKPOINT_DISABLE: "1" } });
  if (version.error || version.status !== 0) return { unavailable: "`terraform` is not on PATH" };
  const terraformVersion = (JSON.parse(version.stdout) as { terraform_version: string }).terraform_version;
  const mirror = findProviderMirror(env);
  if (mirror) return { terraformVersion, source: { kind: "mirror", dir: mirror, versions: mirrorVersions(mirror) } };
  if (registryReachable()) return { terraformVersion, source: { kind: "registry" } };
  return { unavailable: "no AWS provider: no local mirror (TF_PROVIDER_MIRROR, the standard plugin directories, the usual install roots) and the registry is unreachable" };
}

/**
 * Runs `run` for every item: all at once when providers come from a mirror (only read), one after another from the
 * registry. Pitfall: Terraform's plugin cache is not safe for concurrent downloads.
 */
export async function eachTerraformRun<T>(source: ProviderSource, items: readonly T[], run: (item: T, index: number) => Promise<unknown>): Promise<void> {
  if (source.kind === "mirror") await Promise.all(items.map(run));
  else for (const [index, item] of items.entries()) await run(item, index);
}

/**
 * A CLI configuration of our own (TF_CLI_CONFIG_FILE), so no user or machine setting changes the result: a mirror
 * is used in place (its unpacked layout doubles as the plugin cache, so each stack links the provider instead of
 * copying hundreds of MB); with the registry, one plugin cache is shared by every stack.
 */
export function writeCliConfig(file: string, source: ProviderSource, pluginCache: string): void {
  const hcl =
    source.kind === "mirror"
      ? `plugin_cache_dir = ${JSON.stringify(source.dir)}\nplugin_cache_may_break_dependency_lock_file = true\nprovider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(source.dir)}\n  }\n}\n`
      : `plugin_cache_dir = ${JSON.stringify(pluginCache)}\nplugin_cache_may_break_dependency_lock_file = true\n`;
  writeFileSync(file, hcl);
}
