import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { environmentNames, loadConfig } from "../../config";
import { bundleFunction } from "../../constructs/bundle";
import { prepareBundles, type PreparedBundles } from "../../constructs/function-bundles";
import { extractZip } from "../../local/unzip";
import { loadFunctions } from "../../pipeline/registry";
import { PROJECT_ROOT } from "../../pipeline/project-root";

// The handler bundles resolve AWS credentials the one way Lambda provides them, from the environment
// (functions/lib/lambda-credentials.ts stands in for the SDK's default chain), and carry none of the chain's other
// links. That the handlers' calls sign with those credentials is shown where the bundles run (integration/).

/** Links of the SDK's default chain that never answer in Lambda, and the clients they bring (STS, SSO, OIDC). */
const UNUSED_LINKS = /node_modules\/@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|http|login)|nested-clients|token-providers)\//;
const REPLACEMENT = "functions/lib/lambda-credentials.ts";

/** The files a bundle was built from, as its source map names them (relative to the project root). */
function bundledSources(zipPath: string, work: string): string[] {
  extractZip(zipPath, work);
  const map = JSON.parse(readFileSync(path.join(work, "index.js.map"), "utf8")) as { sources: string[] };
  // The map's paths are relative to <root>/.bundle/<entry>/ (see virtualOut in constructs/bundle.ts).
  return map.sources.map((s) => path.posix.normalize(path.posix.join(".bundle/functions/x/index", s)));
}

const entries = [...new Set(environmentNames().flatMap((env) => loadFunctions(loadConfig(env)).map((f) => f.entry)))];

let work: string;
let bundles: PreparedBundles;
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "ddn-lambda-credentials-"));
  // Every handler at once, as a synth does (one esbuild call for those not in the cache).
  bundles = await prepareBundles(entries);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test.each(entries)("%s: no credential source but the environment is bundled", (entry) => {
  const sources = bundledSources(bundles.get(entry)!.zipPath, path.join(work, entry));
  expect(sources.filter((s) => UNUSED_LINKS.test(s))).toEqual([]);
  // Every bundle with an SDK client resolves its credentials through the replacement.
  if (sources.some((s) => s.includes("node_modules/@aws-sdk/client-"))) expect(sources).toContain(REPLACEMENT);
});

describe("the SDK clients in a bundle", () => {
  let code: string;
  /** The fixture bundle run in a fresh node with only these variables: the credentials its clients resolve. */
  const resolve = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["-e", `require(${JSON.stringify(path.join(code, "index.js"))}).handler().then((c) => console.log(JSON.stringify(c)), (e) => { console.error(e.message); process.exit(1); })`], {
      env: { PATH: process.env.PATH ?? "", HOME: path.join(code, "home"), AWS_EC2_METADATA_DISABLED: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
      encoding: "utf8",
    });

  beforeAll(() => {
    code = path.join(work, "fixture-code");
    const bundle = bundleFunction({ entry: "__tests__/fixtures/lambda-credentials/index.ts", projectRoot: PROJECT_ROOT, outDir: path.join(work, "fixture-bundle"), cache: false });
    extractZip(bundle.zipPath, code);
    // A shared credentials file with a profile: the default chain would answer from it when the environment has none.
    mkdirSync(path.join(code, "home", ".aws"), { recursive: true });
    writeFileSync(path.join(code, "home", ".aws", "credentials"), "[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = from-file\n");
  });

  test("take the function's credentials from its environment, as Lambda sets them", () => {
    const r = resolve({ AWS_ACCESS_KEY_ID: "ASIAFROMENVIRONMENT", AWS_SECRET_ACCESS_KEY: "from-environment", AWS_SESSION_TOKEN: "session" });
    expect(r.stderr).toBe("");
    const credentials = JSON.parse(r.stdout) as Record<string, string>[];
    expect(credentials).toHaveLength(3);
    for (const c of credentials) expect(c).toMatchObject({ accessKeyId: "ASIAFROMENVIRONMENT", secretAccessKey: "from-environment", sessionToken: "session" });
  });

  test("look nowhere else: without them they fail, naming the environment, even with a profile on disk", () => {
    const r = resolve({ AWS_PROFILE: "default" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Unable to find environment variable credentials");
    expect(r.stdout).not.toContain("AKIDFROMFILE");
  });
});
