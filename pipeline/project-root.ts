import * as path from "node:path";

/** Defined (as a string) by synth/precompiled.js in the file it compiles; undeclared when run from source. */
declare const DDN_COMPILED_PROJECT_ROOT: string | undefined;

/**
 * The project root (where package.json and cdktf.json live), wherever the process was started.
 * Pitfall: a precompiled entry runs from the cache directory, where __dirname is not the project.
 */
export const PROJECT_ROOT = typeof DDN_COMPILED_PROJECT_ROOT === "string" ? DDN_COMPILED_PROJECT_ROOT : path.resolve(__dirname, "..");

/** `npm run synth` (package.json's "synth", cdktf.json's "app") as node's arguments, for commands that synthesize first. */
export const SYNTH_ARGS: readonly string[] = [path.join(PROJECT_ROOT, "synth", "precompiled.js"), "main.ts"];
