import { rmSync } from "node:fs";
import { SHARED_SYNTH_DIR } from "./global-setup";

export default function globalTeardown(): void {
  const dir = process.env[SHARED_SYNTH_DIR];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
