import { startLocalPipeline, type LocalPipeline } from "../../local/pipeline";
import { synthEnv, type Synthesized } from "../stacks/synth";

/**
 * `npm run local`'s pipeline for dev, synthesized into a temporary outdir, for one test file: started before its
 * tests, stopped (and the outdir removed) after them. `pipeline()` is the running pipeline; `log` its lines.
 */
export function localDevPipeline(): { pipeline: () => LocalPipeline; log: string[] } {
  let synth: Synthesized | undefined;
  let p: LocalPipeline | undefined;
  const log: string[] = [];
  beforeAll(async () => {
    synth = synthEnv("dev");
    p = await startLocalPipeline({ outdir: synth.outdir, port: 0, log: (l) => log.push(l) });
  }, 60_000);
  afterAll(async () => {
    await p?.stop();
    synth?.cleanup();
  });
  return { pipeline: () => p!, log };
}
