#!/usr/bin/env node
// @ts-check
// `npm run typecheck`, and the first half of `npm test`: tsc --noEmit over the whole project with TypeScript 7, the
// native compiler (~1 s here, where TypeScript 5.9 took 7 s, or 3.8 s incremental). Its package's own bin, not
// `npx tsc`: node_modules/.bin/tsc may instead be the bench's TypeScript 5 (package typescript-5, same bin name).
// Usage: node scripts/typecheck.js [more tsc options]
"use strict";
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const root = path.resolve(__dirname, "..");
const tsc = path.join(path.dirname(require.resolve("typescript/package.json")), "bin", "tsc");
// tsc in this process (no second node start), reading its arguments as from its own command line; it runs the
// compiler's binary and exits with its status.
process.argv = [process.argv[0] ?? "node", tsc, "--noEmit", "-p", root, ...process.argv.slice(2)];
import(pathToFileURL(tsc).href).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
