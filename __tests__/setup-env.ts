import { captureCreationStacksOnlyWhenDebugging } from "../synth/creation-stacks";

// Handlers log JSON lines to stdout; keep test output readable. Set LOG_LEVEL=DEBUG to see them.
process.env.LOG_LEVEL ??= "SILENT";
// Never reach a real AWS endpoint or credential source from tests.
process.env.AWS_REGION ??= "eu-west-1";
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
// DDN_BUNDLE_DIR and TMPDIR: set for the whole run by global-setup.ts.
// Synthesis in tests as in `npm run synth`: cdktf's token creation stacks only with CDK_DEBUG=true (a quarter of
// the suites' synthesis time otherwise).
captureCreationStacksOnlyWhenDebugging();
