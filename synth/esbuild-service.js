// @ts-check
// esbuild, with Go's garbage collector off in the esbuild process it starts. Pitfall: esbuild's JS API runs its Go
// binary as a long-lived service with Go's default GOGC=100, and a one-off build then spends about a third of its
// CPU collecting (the five handlers here: ~1.25 -> ~0.85 s of CPU, ~0.68 -> ~0.45 s wall, same output). Go still
// collects once the heap nears GOMEMLIMIT, so a service that lives on (a jest worker's) stays bounded.
"use strict";

/** Defaults for the esbuild process; a GOGC or GOMEMLIMIT already set wins. */
const GO_SETTINGS = Object.freeze({ GOGC: "off", GOMEMLIMIT: "1GiB" });

/**
 * Runs `call` with GO_SETTINGS in process.env, then puts process.env back: the settings reach the esbuild process
 * the call starts (the async API spawns it during the call; the sync API's worker thread copies the environment
 * when it is created during the call), and no other child of this process (terraform is Go too).
 * @template T @param {() => T} call @returns {T}
 */
function withGoSettings(call) {
  /** @type {Array<[string, string | undefined]>} */
  const saved = Object.keys(GO_SETTINGS).map((name) => [name, process.env[name]]);
  for (const [name, value] of Object.entries(GO_SETTINGS)) process.env[name] ??= value;
  try {
    return call();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** @param {(...args: unknown[]) => unknown} fn */
const wrap = (fn) => (/** @type {unknown[]} */ ...args) => withGoSettings(() => fn(...args));

/** @type {typeof import("esbuild") | undefined} */
let loaded;

/**
 * The installed esbuild, every function of its API running under withGoSettings (only the first call of each API
 * starts a process; wrapping all of them leaves no call that starts one with the defaults). Loaded at the first
 * call: a synth that reuses every bundle never pays for loading esbuild (~50 ms here).
 * @returns {typeof import("esbuild")}
 */
function esbuildService() {
  if (loaded) return loaded;
  const esbuild = require("esbuild");
  loaded = /** @type {typeof import("esbuild")} */ (
    Object.fromEntries(
      Object.entries(esbuild).map(([name, value]) => [name, typeof value === "function" ? wrap(/** @type {(...args: unknown[]) => unknown} */ (value)) : value]),
    )
  );
  return loaded;
}

module.exports = { esbuildService, GO_SETTINGS };
