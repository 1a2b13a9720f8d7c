// The tests' own transformer (scripts/jest/esbuild-transform.js): jest keeps its output across runs by the key it
// gives, so the key must change with anything that changes the output, or a run would test stale code.
type Transformer = { getCacheKey(source: string, filename: string): string };

function transformerWith(esbuildVersion: string): Transformer {
  let transformer!: Transformer;
  jest.isolateModules(() => {
    jest.doMock("esbuild", () => ({ ...jest.requireActual<object>("esbuild"), version: esbuildVersion }));
    transformer = require("../../scripts/jest/esbuild-transform") as Transformer;
  });
  return transformer;
}

test("the cache key changes with the source, the file, and esbuild's version; not otherwise", () => {
  const current = transformerWith("0.28.2");
  const key = current.getCacheKey("export const a = 1;", "/p/a.ts");
  expect(transformerWith("0.28.2").getCacheKey("export const a = 1;", "/p/a.ts")).toBe(key);
  expect(current.getCacheKey("export const a = 2;", "/p/a.ts")).not.toBe(key);
  expect(current.getCacheKey("export const a = 1;", "/p/b.ts")).not.toBe(key);
  expect(transformerWith("0.29.0").getCacheKey("export const a = 1;", "/p/a.ts")).not.toBe(key);
});
