import { synthEnv } from "./synth";

describe("state backend", () => {
  test("local by default, with a relative path (no machine path in the config)", () => {
    const s = synthEnv("dev");
    try {
      for (const [name, stack] of Object.entries(s.stacks)) {
        expect(stack.terraform.backend).toEqual({ local: { path: `../../../terraform.${name}.tfstate` } });
      }
      const remote = s.stacks["ddn-dev-compute"]!.data!.terraform_remote_state!;
      expect(remote["cross-stack-reference-input-ddn-dev-storage"]).toMatchObject({
        backend: "local",
        config: { path: "../../../terraform.ddn-dev-storage.tfstate" },
      });
    } finally {
      s.cleanup();
    }
  });

  test("TF_STATE_BUCKET: S3 backend per environment and stack, lockfile, encryption, config region", () => {
    const s = synthEnv("prod", { bucket: "acme-tf-state" });
    try {
      for (const [name, stack] of Object.entries(s.stacks)) {
        expect(stack.terraform.backend).toEqual({
          s3: { bucket: "acme-tf-state", key: `ddn/prod/${name}.tfstate`, region: "eu-west-1", encrypt: true, use_lockfile: true },
        });
      }
      // Cross-stack references read the same bucket.
      const remote = s.stacks["ddn-prod-api"]!.data!.terraform_remote_state!["cross-stack-reference-input-ddn-prod-compute"];
      expect(remote).toMatchObject({ backend: "s3", config: { bucket: "acme-tf-state", key: "ddn/prod/ddn-prod-compute.tfstate" } });
    } finally {
      s.cleanup();
    }
  });
});
