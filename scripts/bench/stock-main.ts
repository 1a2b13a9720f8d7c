// The stock cdktf template style, for the benchmark baseline only: the app run by ts-node (type-checking on
// the fly) with the @cdktf/provider-aws package index loaded, as `import * as aws from "@cdktf/provider-aws"` does.
// The index import must stay in TypeScript source: ts-node type-checking the provider's declarations is most of
// the stock cost (a `node -r @cdktf/provider-aws` preload measured 4.9 s / 738 MB instead of 9.0 s / 1.5 GB).
import * as aws from "@cdktf/provider-aws";

void aws;
// eslint-disable-next-line @typescript-eslint/no-require-imports
require("../../main");
