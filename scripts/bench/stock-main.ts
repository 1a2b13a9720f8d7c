// The stock cdktf template style, for the benchmark baseline only: the app run by ts-node (type-checking on
// the fly) with the @cdktf/provider-aws package index loaded, as `import * as aws from "@cdktf/provider-aws"` does.
import * as aws from "@cdktf/provider-aws";

void aws;
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("../../main");
