import { fromEnv, type FromEnvInit } from "@aws-sdk/credential-provider-env";

/**
 * Takes the place of `@aws-sdk/credential-provider-node` in the handler bundles (constructs/bundle.ts,
 * LAMBDA_ALIASES). Lambda hands a function its role's credentials in environment variables and nowhere else, so the
 * default chain's other links (SSO, shared files, process, web identity, container and instance metadata) never
 * answer there. Pitfall: every client's runtime config imports that chain statically, so no bundler can drop it, even
 * with `credentials` set (aws/aws-sdk-js-v3#6087): a quarter to a third of each SDK bundle.
 */
export const defaultProvider = (init: FromEnvInit = {}): ReturnType<typeof fromEnv> => fromEnv(init);
