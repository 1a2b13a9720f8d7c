import { spawnSync } from "node:child_process";
import type { Server } from "node:http";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { loadConfig } from "../../config";
import { servePage } from "../../local/page-server";
import { startLocalPipeline, type LocalPipeline } from "../../local/pipeline";
import type { Synthesized } from "../stacks/synth";
import { synthConfig } from "../stacks/synth-in-process";

// Debian's Chromium driven by playwright-core (never a downloaded browser). Pages are served for real on loopback
// origins: Chromium refuses calls from non-loopback pages into 127.0.0.1, and the API and S3 check the origin.
export const chromiumPath = process.env.CHROMIUM_PATH || ["chromium", "chromium-browser", "google-chrome"].map((c) => spawnSync("which", [c], { encoding: "utf8" }).stdout.trim()).find(Boolean);

/** `describe` when a Chromium is installed, else a visible skip. */
export function describeInBrowser(file: string): jest.Describe {
  if (!chromiumPath) process.stderr.write(`${file}: SKIPPED — no Chromium (apt-get install chromium, or set CHROMIUM_PATH)\n`);
  return chromiumPath ? describe : describe.skip;
}

const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface BrowserRig {
  /** Page origins (http://localhost:<port>); dev's config is varied to allow the first `allowed` of them. */
  readonly origins: readonly string[];
  readonly pipeline: LocalPipeline;
  readonly context: BrowserContext;
  open(origin: string, path?: string): Promise<Page>;
  stop(): Promise<void>;
}

/** `npm run local`'s pipeline for dev (origins varied), its pages on `count` loopback origins, and a headless Chromium. */
export async function startBrowserRig(count: number, allowed: number): Promise<BrowserRig> {
  const servers: Server[] = [];
  let pipeline: LocalPipeline | undefined;
  let synth: Synthesized | undefined;
  let browser: Browser | undefined;
  const origins: string[] = [];
  const stop = async () => {
    await browser?.close();
    await pipeline?.stop();
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
    synth?.cleanup();
  };
  try {
    for (let i = 0; i < count; i++) {
      const served = await servePage(0, () => pipeline!.serverUrl);
      servers.push(served!.server);
      origins.push(`http://localhost:${served!.port}`);
    }
    synth = synthConfig({ ...loadConfig("dev"), allowedOrigins: origins.slice(0, allowed) });
    pipeline = await startLocalPipeline({ outdir: synth.outdir, port: 0 });
    // A fresh temporary profile (Playwright's launch never reuses one), headless, with the machine's Chromium.
    browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: FLAGS });
    const context = await browser.newContext();
    return {
      origins,
      pipeline,
      context,
      async open(origin, path = "/") {
        const page = await context.newPage();
        await page.goto(`${origin}${path}`);
        return page;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
