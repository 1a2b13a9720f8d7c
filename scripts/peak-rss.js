// Preloaded into a measured process: writes its peak RSS (KB) to the file named by DDN_RSS_FILE on exit.
const { writeFileSync } = require("node:fs");
process.on("exit", () => {
  if (process.env.DDN_RSS_FILE) writeFileSync(process.env.DDN_RSS_FILE, String(process.resourceUsage().maxRSS));
});
