import { App } from "cdktf";
import type { EnvironmentConfig } from "../config";
import type { PreparedBundles } from "../constructs/function-bundles";
import { addPipeline, type PipelineStacks } from "../stacks/app";
import { stateBackendFromEnv } from "../stacks/state-backend";
import { writeAtomically } from "./atomic-outdir";

/** The stacks of one environment into `outdir`, all or nothing (a failed synth leaves the previous output). */
export function synthesizePipeline(config: EnvironmentConfig, outdir: string, bundles: PreparedBundles): PipelineStacks {
  return writeAtomically(outdir, (staging) => {
    const app = new App({ outdir: staging });
    const pipeline = addPipeline(app, config, stateBackendFromEnv(), bundles);
    app.synth();
    return pipeline;
  });
}

export { synthReport } from "./report";
