import * as path from "node:path";

/** The project root (where package.json and cdktf.json live), wherever the process was started. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");
