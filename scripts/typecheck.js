#!/usr/bin/env node
// @ts-check
// `npm run typecheck`, and the first half of `npm test`: tsc --noEmit over the whole project, incremental. tsc
// keeps what it checked last time (each file's hash, its diagnostics) in a build info file and checks again only
// what changed and what depends on it: an unchanged project in ~3.8 s instead of ~7.3 s here. The file lives in the
// system's temporary directory, one per checkout, never in the working tree; DDN_TSBUILDINFO moves it.
// Usage: node scripts/typecheck.js [more tsc options]
"use strict";
const { createHash } = require("node:crypto");
const { tmpdir } = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const checkout = createHash("sha1").update(root).digest("hex").slice(0, 16);
const buildInfo = process.env.DDN_TSBUILDINFO || path.join(tmpdir(), `ddn-tsc-${checkout}`, "tsconfig.tsbuildinfo");
const tsc = require.resolve("typescript/bin/tsc");
// tsc in this process (no second node start), reading its arguments as from its own command line.
process.argv = [process.argv[0] ?? "node", tsc, "--noEmit", "-p", root, "--incremental", "--tsBuildInfoFile", buildInfo, ...process.argv.slice(2)];
require(tsc);
