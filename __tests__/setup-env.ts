// Handlers log JSON lines to stdout; keep test output readable. Set LOG_LEVEL=DEBUG to see them.
process.env.LOG_LEVEL ??= "SILENT";
// Never reach a real AWS endpoint or credential source from tests.
process.env.AWS_REGION ??= "eu-west-1";
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Tests never write into the working tree: bundles go to a temporary directory shared by the jest workers of this
// checkout (one per checkout, so two checkouts on one machine never race on a bundle).
process.env.DDN_BUNDLE_DIR ??= require("node:path").join(
  require("node:os").tmpdir(),
  `ddn-test-bundles-${require("node:crypto").createHash("sha1").update(require("node:path").resolve(__dirname, "..")).digest("hex").slice(0, 12)}`,
);
