const { availableParallelism } = require("node:os");

/** @type {import('jest').Config} */
module.exports = {
  // jest's default keeps a core for its own process (cores - 1): one worker on a 2-core machine, the other core idle
  // while suites wait on child processes (synth, tsc, terraform). Two at least.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only (types are checked by `tsc --noEmit`): fast, one file at a time.
  transform: { "^.+\\.(t|j)s$": "<rootDir>/scripts/jest/esbuild-transform.js" },
  // jose ships ES modules only; let the transformer turn it into CommonJS for jest.
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  setupFiles: ["<rootDir>/__tests__/setup-env.ts"],
  // The environments synthesized for the suites, shared within one run (__tests__/stacks/synth.ts).
  globalSetup: "<rootDir>/__tests__/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/global-teardown.ts",
  testTimeout: 30000,
};
