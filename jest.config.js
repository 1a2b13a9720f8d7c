/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only (types are checked by `tsc --noEmit`): fast, one file at a time.
  transform: { "^.+\\.(t|j)s$": "<rootDir>/scripts/jest/esbuild-transform.js" },
  // jose ships ES modules only; let the transformer turn it into CommonJS for jest.
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  setupFiles: ["<rootDir>/__tests__/setup-env.ts"],
  testTimeout: 30000,
};
