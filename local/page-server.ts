import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PAGE_PATHS } from "./page";

/**
 * Serves the pages (the upload page, the Uppy page) on their own origin (127.0.0.1:<port>, reached as http://localhost:<port>), relaying it
 * from the local pipeline's server: a page must run on an allowed origin, and on loopback, to call the local API
 * and S3 (Chromium refuses calls from public pages into the loopback address space).
 */
export async function servePage(port: number, pipelineUrl: () => string): Promise<{ server: Server; port: number } | undefined> {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://local").pathname;
    const file = (PAGE_PATHS as readonly string[]).includes(pathname) ? pathname : "/";
    fetch(`${pipelineUrl()}${file}`)
      .then(async (page) => {
        res.setHeader("content-type", page.headers.get("content-type") ?? "text/html");
        res.end(await page.text());
      })
      .catch(() => {
        res.statusCode = 502;
        res.end("the local pipeline is not running");
      });
  });
  const ok = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => resolve(true));
  });
  return ok ? { server, port: (server.address() as AddressInfo).port } : undefined;
}
