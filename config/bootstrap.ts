import { ENVIRONMENTS } from "./environments";

export interface BootstrapConfig {
  readonly app: string;
  readonly region: string;
  /** GitHub repository allowed to assume the roles, "owner/name". */
  readonly githubRepository: string;
  /** Environments that get a deploy role (each bound to the GitHub environment of the same name). */
  readonly environments: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** Once-per-account settings; DDN_GITHUB_REPOSITORY overrides the repository. */
export function loadBootstrapConfig(env: NodeJS.ProcessEnv = process.env): BootstrapConfig {
  const githubRepository = env.DDN_GITHUB_REPOSITORY || "example-org/ddn-file-pipeline";
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(githubRepository)) {
    throw new Error(`DDN_GITHUB_REPOSITORY must be "owner/name" (got "${githubRepository}")`);
  }
  const regions = new Set(Object.values(ENVIRONMENTS).map((c) => c.region));
  if (regions.size !== 1) throw new Error(`the bootstrap expects one region for all environments (found ${[...regions].join(", ")})`);
  return {
    app: "ddn",
    region: [...regions][0]!,
    githubRepository,
    environments: Object.keys(ENVIRONMENTS),
    tags: { project: "ddn-file-pipeline", "managed-by": "cdktf", component: "bootstrap" },
  };
}
