/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only (types are checked by `tsc --noEmit`): fast, and one file at a time.
  transform: { "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" }, module: { type: "commonjs" } }] },
  // jose ships ES modules only; let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
  setupFiles: ["<rootDir>/__tests__/setup-env.ts"],
  testTimeout: 30000,
};
