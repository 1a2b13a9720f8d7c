#!/usr/bin/env bash
# Exit path 2: rename the project to the CDK Terrain fork (cdktn, @cdktn/provider-aws) in a temporary copy,
# synthesize there, and compare the resource addresses with this project's. Downloads the fork from npm, so it
# is not part of `npm test`. Writes the result into README.md (between the exit-cdktn markers) unless --no-readme.
# Usage: bash scripts/exit-to-cdktn.sh [--no-readme]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
CDKTN_VERSION="${CDKTN_VERSION:-0.24.0}"
PROVIDER_VERSION="${CDKTN_PROVIDER_AWS_VERSION:-25.7.0}"
CONSTRUCTS_VERSION="${CDKTN_CONSTRUCTS_VERSION:-10.7.0}"   # the fork's peer range is >=10.6.0 <10.8.0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "[exit] copying the tracked files to $work/app"
mkdir -p "$work/app"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/app")
cd "$work/app"

echo "[exit] renaming cdktf -> cdktn in the sources"
grep -rlE '"(cdktf|@cdktf/provider-aws[^"]*)"' --include='*.ts' . | xargs sed -i -E \
  -e 's#"@cdktf/provider-aws/lib/#"@cdktn/provider-aws/lib/#g' \
  -e 's#"@cdktf/provider-aws"#"@cdktn/provider-aws"#g' \
  -e 's#from "cdktf"#from "cdktn"#g' \
  -e 's#require\("cdktf"\)#require("cdktn")#g'
if grep -rnE 'from "cdktf"|"@cdktf/' --include='*.ts' . ; then echo "[exit] references to cdktf remain" >&2; exit 1; fi

echo "[exit] installing cdktn@$CDKTN_VERSION @cdktn/provider-aws@$PROVIDER_VERSION constructs@$CONSTRUCTS_VERSION"
node -e '
  const p = require("./package.json");
  for (const d of ["cdktf", "@cdktf/provider-aws"]) delete p.dependencies[d];
  delete p.devDependencies["cdktf-cli"];
  require("fs").writeFileSync("package.json", JSON.stringify(p, null, 2));'
rm -f package-lock.json
npm install --no-audit --no-fund --loglevel=error "cdktn@$CDKTN_VERSION" "@cdktn/provider-aws@$PROVIDER_VERSION" "constructs@$CONSTRUCTS_VERSION" >/dev/null

echo "[exit] synthesizing with cdktn and with cdktf"
CDKTF_OUTDIR="$work/cdktn.out" node synth/precompiled.js main.ts >/dev/null
(cd "$root" && CDKTF_OUTDIR="$work/cdktf.out" node synth/precompiled.js main.ts >/dev/null)

echo "[exit] comparing resource addresses"
result="$(node -e '
  const fs = require("fs"), path = require("path");
  const [a, b] = process.argv.slice(1);
  const addresses = (dir) => {
    const out = {};
    for (const stack of fs.readdirSync(path.join(dir, "stacks")).sort()) {
      const j = JSON.parse(fs.readFileSync(path.join(dir, "stacks", stack, "cdk.tf.json"), "utf8"));
      out[stack] = Object.entries(j.resource ?? {}).flatMap(([t, byName]) => Object.keys(byName).map((n) => `${t}.${n}`)).sort();
    }
    return out;
  };
  const ours = addresses(a), fork = addresses(b);
  const lines = [];
  let same = true;
  for (const stack of Object.keys(ours)) {
    const missing = ours[stack].filter((x) => !(fork[stack] ?? []).includes(x));
    const extra = (fork[stack] ?? []).filter((x) => !ours[stack].includes(x));
    same &&= missing.length === 0 && extra.length === 0;
    lines.push(`| ${stack} | ${ours[stack].length} | ${(fork[stack] ?? []).length} | ${missing.length || extra.length ? `missing: ${missing.join(", ") || "none"}; extra: ${extra.join(", ") || "none"}` : "identical"} |`);
  }
  const providers = [a, b].map((d) => JSON.parse(fs.readFileSync(path.join(d, "stacks", fs.readdirSync(path.join(d, "stacks"))[0], "cdk.tf.json"), "utf8")).terraform.required_providers.aws.version);
  console.log(JSON.stringify({ same, table: lines.join("\n"), providers }));
' "$work/cdktf.out" "$work/cdktn.out")"
echo "$result" | node -e '
  const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log("| stack | cdktf resources | cdktn resources | difference |\n|---|---|---|---|\n" + r.table);
  console.log(`AWS provider: cdktf ${r.providers[0]}, cdktn ${r.providers[1]}; addresses ${r.same ? "identical" : "DIFFER"}`);
  process.exitCode = r.same ? 0 : 2;
' | tee "$work/summary.txt"
status=${PIPESTATUS[1]}

if [[ "${1:-}" != "--no-readme" ]]; then
  node -e '
    const fs = require("fs");
    const [readme, summary, cdktn, provider] = process.argv.slice(1);
    const text = fs.readFileSync(readme, "utf8");
    const start = "<!-- exit-cdktn:start -->", end = "<!-- exit-cdktn:end -->";
    const i = text.indexOf(start), j = text.indexOf(end);
    if (i < 0 || j < 0) { console.error("README.md has no exit-cdktn markers"); process.exit(1); }
    const block = `${start}\nLast run: ${new Date().toISOString().slice(0, 10)}, cdktn ${cdktn}, @cdktn/provider-aws ${provider} (\`bash scripts/exit-to-cdktn.sh\`):\n\n${fs.readFileSync(summary, "utf8").trim()}\n${end}`;
    fs.writeFileSync(readme, text.slice(0, i) + block + text.slice(j + end.length));
  ' "$root/README.md" "$work/summary.txt" "$CDKTN_VERSION" "$PROVIDER_VERSION"
  echo "[exit] README.md updated"
fi
exit "$status"
