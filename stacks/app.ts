import { App } from "cdktf";
import type { EnvironmentConfig } from "../config";
import { naming } from "../config";
import { ApiStack } from "./api-stack";
import { ComputeStack } from "./compute-stack";
import { IamStack } from "./iam-stack";
import type { StateBackendSettings } from "./pipeline-stack";
import { StorageStack } from "./storage-stack";

export interface PipelineStacks {
  readonly storage: StorageStack;
  readonly iam: IamStack;
  readonly compute: ComputeStack;
  readonly api: ApiStack;
}

/** Adds the four stacks of one environment to an app, in dependency order storage <- iam <- compute <- api. */
export function addPipeline(app: App, config: EnvironmentConfig, backend: StateBackendSettings = {}): PipelineStacks {
  const n = naming(config);
  const base = { config, backend };
  const storage = new StorageStack(app, n.stack("storage"), base);
  const iam = new IamStack(app, n.stack("iam"), { ...base, storage });
  const compute = new ComputeStack(app, n.stack("compute"), { ...base, storage, iam });
  const api = new ApiStack(app, n.stack("api"), { ...base, iam, compute });
  return { storage, iam, compute, api };
}
