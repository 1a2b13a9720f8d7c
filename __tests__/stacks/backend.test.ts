import { STATE_REGION } from "../../config/bootstrap";
import { stateBackendFromEnv } from "../../stacks/state-backend";
import { ENVIRONMENTS, expected, synthEnv } from "./synth";

describe.each(ENVIRONMENTS)("state backend (%s)", (env) => {
  const { config, names } = expected(env);

  test("local by default, with a relative path (no machine path in the config)", () => {
    const s = synthEnv(env);
    try {
      for (const [name, stack] of Object.entries(s.stacks)) {
        expect(stack.terraform.backend).toEqual({ local: { path: `../../../terraform.${name}.tfstate` } });
      }
      const remote = s.stacks[names.stack("compute")]!.data!.terraform_remote_state!;
      expect(remote[`cross-stack-reference-input-${names.stack("storage")}`]).toMatchObject({
        backend: "local",
        config: { path: `../../../terraform.${names.stack("storage")}.tfstate` },
      });
    } finally {
      s.cleanup();
    }
  });

  test("TF_STATE_BUCKET: S3 backend per environment and stack, lockfile, encryption, the state bucket's own region", () => {
    const s = synthEnv(env, stateBackendFromEnv({ TF_STATE_BUCKET: "acme-tf-state" }));
    try {
      for (const [name, stack] of Object.entries(s.stacks)) {
        expect(stack.terraform.backend).toEqual({
          s3: { bucket: "acme-tf-state", key: `${config.app}/${config.env}/${name}.tfstate`, region: STATE_REGION, encrypt: true, use_lockfile: true },
        });
      }
      // Cross-stack references read the same bucket.
      const remote = s.stacks[names.stack("api")]!.data!.terraform_remote_state![`cross-stack-reference-input-${names.stack("compute")}`];
      expect(remote).toMatchObject({ backend: "s3", config: { bucket: "acme-tf-state", key: `${config.app}/${config.env}/${names.stack("compute")}.tfstate`, region: STATE_REGION } });
    } finally {
      s.cleanup();
    }
  });
});

test("TF_STATE_REGION moves the state bucket's region, not the environment's", () => {
  expect(stateBackendFromEnv({ TF_STATE_BUCKET: "b", TF_STATE_REGION: "us-east-2" })).toEqual({ bucket: "b", region: "us-east-2" });
  expect(stateBackendFromEnv({})).toEqual({});
});

describe.each(ENVIRONMENTS)("AWS provider (%s)", (env) => {
  const { config } = expected(env);

  test("every stack: the environment's region, tags and account (the only one allowed, where it names one)", () => {
    const s = synthEnv(env);
    for (const [name, stack] of Object.entries(s.stacks)) {
      const provider = stack.provider!.aws[0];
      expect({ name, region: provider.region, tags: provider.default_tags[0].tags }).toEqual({ name, region: config.region, tags: config.tags });
      // Unnamed: any account (allowed_account_ids absent); the refusal itself is planned in terraform/plan-chain.test.ts.
      expect({ name, allowed: provider.allowed_account_ids }).toEqual({ name, allowed: config.account === undefined ? undefined : [config.account] });
    }
  });
});
