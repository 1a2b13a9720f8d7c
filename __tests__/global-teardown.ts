import { rmSync } from "node:fs";
import { RUN_DIR } from "./global-setup";

export default function globalTeardown(): void {
  const dir = process.env[RUN_DIR];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
