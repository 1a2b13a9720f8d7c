import { ConfigError, environmentNames, loadConfig } from "../../config";
import type { PipelineFunction } from "../../pipeline/function-declaration";
import { checkFunctions, functionNames, loadFunctions } from "../../pipeline/registry";
import { filtersOverlap } from "../../pipeline/s3-filters";

const config = loadConfig("dev");
const fn = (name: string, extra: Partial<PipelineFunction> = {}): PipelineFunction => ({
  name,
  entry: `functions/${name}/index.ts`,
  description: name,
  memoryMb: 256,
  timeoutSeconds: 5,
  ...extra,
});
const problems = (functions: PipelineFunction[], c = config): string[] => {
  try {
    checkFunctions(c, functions);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
};

describe("function registry", () => {
  test("discovers every functions/<name>/function.ts, sorted; lib/ is not a function", () => {
    expect(functionNames()).toEqual(["authorize", "presign", "process", "status", "uploads"]);
  });

  test.each(environmentNames())("%s: the environment's overrides win over the declared defaults", (env) => {
    const c = loadConfig(env);
    for (const f of loadFunctions(c)) {
      if (c.functions?.[f.name]?.memoryMb !== undefined) expect(f.memoryMb).toBe(c.functions[f.name]!.memoryMb);
      expect(f.entry).toBe(`functions/${f.name}/index.ts`);
    }
  });

  test("an override for a function that does not exist is refused, naming the declared ones", () => {
    expect(problems([fn("a", { authorizer: { header: "Authorization", validationExpression: "x" } })], { ...config, functions: { nope: { memoryMb: 512 } } })).toEqual([
      'functions.nope: no function "nope" is declared (declared: a)',
    ]);
  });

  test("routes: the same route twice, bad paths, a greedy parameter before the end", () => {
    const auth = fn("auth", { authorizer: { header: "Authorization", validationExpression: "x" } });
    const found = problems([
      auth,
      fn("a", { routes: [{ method: "GET", path: "/files/{key+}" }, { method: "GET", path: "files" }] }),
      fn("b", { routes: [{ method: "GET", path: "/files/{other+}" }, { method: "GET", path: "/x/{p+}/y" }] }),
    ]);
    expect(found).toEqual([
      "a: route GET files: path must look like /files/{key+} (literal segments, {param}, or a final {param+})",
      "b: route GET /files/{other+}: the same route is also declared by a",
      "b: route GET /x/{p+}/y: a greedy {param+} must be the last segment",
    ]);
  });

  test("a function with routes must time out before API Gateway stops waiting (29 s); one without routes may run longer", () => {
    const route = { method: "GET", path: "/slow" } as const;
    expect(problems([fn("slow", { routes: [{ ...route, auth: false }], timeoutSeconds: 28 })])).toEqual([]);
    expect(problems([fn("slow", { routes: [{ ...route, auth: false }], timeoutSeconds: 29 })])).toEqual([
      "slow: timeoutSeconds 29 is not below the 29 s API Gateway waits for its routes: a slow call would answer 504 while the function runs on. " +
        "Set at most 28, or move the long work off the request (an objectCreated trigger).",
    ]);
    expect(problems([fn("batch", { timeoutSeconds: 900 })])).toEqual([]);
  });

  test("auth on with protected routes needs exactly one authorizer", () => {
    expect(problems([fn("a", { routes: [{ method: "GET", path: "/a" }] })])).toEqual(["api.auth.enabled is true but no function declares `authorizer`"]);
    const authorizer = { header: "Authorization", validationExpression: "x" };
    expect(problems([fn("a", { authorizer }), fn("b", { authorizer })])).toEqual(["only one function may be the authorizer (found a, b)"]);
  });

  test("overlapping object-created subscriptions on one bucket are refused; other buckets or disjoint prefixes are fine", () => {
    const auth = fn("auth", { authorizer: { header: "Authorization", validationExpression: "x" } });
    expect(problems([auth, fn("a", { objectCreated: [{ bucket: "in" }] }), fn("b", { objectCreated: [{ bucket: "out", prefix: "images/" }] })])).toEqual([]);
    expect(problems([auth, fn("a", { objectCreated: [{ bucket: "in", prefix: "a/" }] }), fn("b", { objectCreated: [{ bucket: "in", prefix: "b/" }] })])).toEqual([]);
    const [only] = problems([auth, fn("a", { objectCreated: [{ bucket: "in" }] }), fn("b", { objectCreated: [{ bucket: "in", suffix: ".png" }] })]);
    expect(only).toContain('a.objectCreated[0] (bucket "in", prefix "", suffix "") and b.objectCreated[0] (bucket "in", prefix "", suffix ".png") overlap');
  });

  test("S3's overlap rule: event types intersect, and one prefix and one suffix contain the other", () => {
    const f = (events: string[], prefix = "", suffix = "") => ({ events, prefix, suffix });
    expect(filtersOverlap(f(["s3:ObjectCreated:*"]), f(["s3:ObjectCreated:Put"], "x/"))).toBe(true);
    expect(filtersOverlap(f(["s3:ObjectCreated:*"]), f(["s3:ObjectRemoved:*"]))).toBe(false);
    expect(filtersOverlap(f(["s3:ObjectCreated:*"], "a/", ".jpg"), f(["s3:ObjectCreated:*"], "a/b/", ".png"))).toBe(false);
    expect(filtersOverlap(f(["s3:ObjectCreated:*"], "a/", ".jpg"), f(["s3:ObjectCreated:*"], "a/b/", "x.jpg"))).toBe(true);
  });
});
