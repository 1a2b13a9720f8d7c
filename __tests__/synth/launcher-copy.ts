import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { listFiles } from "../design/project-copy";

// What the launcher's tests (precompiled*.test.ts) do to a copy of the project and read of what it compiled.

/** Every file below a directory with its bytes, by path relative to it. */
export function filesUnder(dir: string): Record<string, Buffer> {
  return Object.fromEntries(listFiles(dir).map((file) => [file, readFileSync(path.join(dir, file))]));
}

/**
 * Makes the directories above an installed path of a copy real (their entries stay links to the checkout's
 * node_modules, which is never written), so that the path itself can be replaced.
 */
export function replaceableInstalled(copy: string, relative: string): string {
  let dir = copy;
  for (const part of path.dirname(relative).split("/")) {
    const next = path.join(dir, part);
    if (lstatSync(next).isSymbolicLink()) {
      const target = realpathSync(next);
      rmSync(next);
      mkdirSync(next);
      for (const entry of readdirSync(target)) symlinkSync(path.join(target, entry), path.join(next, entry));
    }
    dir = next;
  }
  return path.join(copy, relative);
}

/** An installed directory of a copy made a real, editable copy of itself. */
export function editableInstalled(copy: string, relative: string): string {
  const at = replaceableInstalled(copy, relative);
  const target = realpathSync(at);
  rmSync(at);
  cpSync(target, at, { recursive: true });
  return at;
}

/**
 * The directory of an entry's compiled files in a bundle directory: the one whose manifest names the project and
 * holds the entry among the files it was compiled from.
 */
export function compiledDir(bundles: string, project: string, entry = "main.ts"): string | undefined {
  const entries = path.join(bundles, "entries");
  return readdirSync(entries)
    .map((id) => path.join(entries, id))
    .find((dir) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, "entry.manifest.json"), "utf8")) as { root: string; inputs: Record<string, string> };
      return manifest.root === project && entry in manifest.inputs;
    });
}

/** The compiled file of a layer ("entry": the project's code; "vendor": the packages it imports), as run. */
export function layerOf(bundles: string, project: string, name: "entry" | "vendor", entry = "main.ts"): { file: string; mtimeMs: number; ino: number } {
  const dir = compiledDir(bundles, project, entry)!;
  const manifest = JSON.parse(readFileSync(path.join(dir, `${name}.manifest.json`), "utf8")) as { output: string };
  const file = path.join(dir, manifest.output);
  const { mtimeMs, ino } = statSync(file);
  return { file, mtimeMs, ino };
}

/** A JSON file of a copy, changed in place. */
export function editJson(copy: string, file: string, change: (json: any) => void): void {
  const json = JSON.parse(readFileSync(path.join(copy, file), "utf8"));
  change(json);
  writeFileSync(path.join(copy, file), JSON.stringify(json, null, 2));
}
