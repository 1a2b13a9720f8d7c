// Handlers log JSON lines to stdout; keep test output readable. Set LOG_LEVEL=DEBUG to see them.
process.env.LOG_LEVEL ??= "SILENT";
// Never reach a real AWS endpoint or credential source from tests.
process.env.AWS_REGION ??= "eu-west-1";
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// Tests never write into the working tree: bundles go to one temporary directory shared by the jest workers.
process.env.DDN_BUNDLE_DIR ??= require("node:path").join(require("node:os").tmpdir(), "ddn-test-bundles");
