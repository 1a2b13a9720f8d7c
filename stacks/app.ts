import type { App } from "cdktf";
import { naming, type EnvironmentConfig } from "../config";
import type { PreparedBundles } from "../constructs/function-bundles";
import { loadFunctions } from "../pipeline/registry";
import { ApiStack } from "./api-stack";
import { ComputeStack } from "./compute-stack";
import { shareCrossStackReferences } from "./cross-stack-references";
import { IamStack } from "./iam-stack";
import type { StateBackendSettings } from "./state-backend";
import { StorageStack } from "./storage-stack";

export interface PipelineStacks {
  readonly storage: StorageStack;
  readonly iam: IamStack;
  readonly compute: ComputeStack;
  readonly api: ApiStack;
}

/**
 * Adds the four stacks of one environment to an app, in dependency order storage <- iam <- compute <- api.
 * The iam, compute and api stacks derive their parts from the function declarations (functions/<name>/function.ts).
 * `bundles`: handler bundles built beforehand (main.ts starts them before cdktf loads); missing ones are built here.
 */
export function addPipeline(app: App, config: EnvironmentConfig, backend: StateBackendSettings = {}, bundles?: PreparedBundles): PipelineStacks {
  shareCrossStackReferences(app);
  const n = naming(config);
  const functions = loadFunctions(config);
  const base = { config, backend, functions };
  const storage = new StorageStack(app, n.stack("storage"), base);
  const iam = new IamStack(app, n.stack("iam"), { ...base, storage });
  const compute = new ComputeStack(app, n.stack("compute"), { ...base, storage, iam, ...(bundles ? { bundles } : {}) });
  const api = new ApiStack(app, n.stack("api"), { ...base, storage, iam, compute });
  return { storage, iam, compute, api };
}
