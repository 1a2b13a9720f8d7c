import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { describeInBrowser, startBrowserRig, type BrowserRig } from "./rig";

// The upload page of `npm run local` in a real browser: every API and S3 request goes to the real local servers
// and their CORS rules.
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describeInBrowser("upload-page.test.ts")("the upload page in a real browser", () => {
  let rig: BrowserRig;
  // Three page origins on loopback, as `npm run local` serves the page: dev's config varied to allow the first two.
  let ORIGIN: string;
  let SECOND: string;
  let DISALLOWED: string;

  beforeAll(async () => {
    rig = await startBrowserRig(3, 2);
    [ORIGIN, SECOND, DISALLOWED] = rig.origins as [string, string, string];
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  const open = (origin: string): Promise<Page> => rig.open(origin);

  test("from an allowed origin: uploads through the UI, waits for processing, downloads the same bytes", async () => {
    const page = await open(ORIGIN);
    const files = [
      { name: "typed.txt", mimeType: "text/plain", buffer: Buffer.from("typed text\n") },
      { name: "untyped", mimeType: "", buffer: Buffer.from("no content type at all") },
      { name: "a b+c%d#e?f ü✓.txt", mimeType: "text/plain", buffer: Buffer.from("hostile key, unicode ✓") },
      { name: "big.bin", mimeType: "application/octet-stream", buffer: randomBytes(11 * 1024 * 1024) },
    ];
    await page.fill("#prefix", "folder/sub dir");
    await page.setInputFiles("#files", files);
    await page.locator('tr[data-state="processed"]').nth(files.length - 1).waitFor({ timeout: 60_000 });
    expect(await page.locator('tr[data-state="failed"]').count()).toBe(0);

    for (const f of files) {
      const row = page.locator("tr", { has: page.locator("td.key", { hasText: `folder/sub dir/${f.name}` }) });
      expect(await row.locator("progress").getAttribute("value")).toBe("1");
      await row.locator("button").click();
      await page.locator('tr[data-downloaded="true"]', { has: page.locator("td.key", { hasText: `folder/sub dir/${f.name}` }) }).waitFor({ timeout: 30_000 });
      expect(await row.locator(".digest").textContent()).toBe(`${f.buffer.length} bytes, sha256 ${sha256(f.buffer)}`);
    }
    const shot = await page.screenshot({ fullPage: true });
    expect(shot.subarray(1, 4).toString()).toBe("PNG");
    // The README's screenshot: written only when asked (tests never write into the working tree).
    if (process.env.UPDATE_SCREENSHOTS) writeFileSync(path.resolve(__dirname, "../../docs/upload-page.png"), shot);
    await page.close();
  }, 120_000);

  test("a content type the API refuses is reported readably on the page", async () => {
    const page = await open(ORIGIN);
    await page.fill("#type", "not a media type");
    await page.setInputFiles("#files", [{ name: "x.txt", mimeType: "text/plain", buffer: Buffer.from("x") }]);
    const state = page.locator('tr[data-state="failed"] .state');
    await state.waitFor({ timeout: 15_000 });
    expect(await state.textContent()).toMatch(/^400 InvalidContentType: contentType must be a media type/);
    await page.close();
  });

  test("from a disallowed origin every read is blocked: token, API, preflighted API call, S3 download", async () => {
    const token = await rig.pipeline.issueToken();
    const download = (await (await fetch(`${rig.pipeline.apiUrl}/presign?file=${encodeURIComponent("folder/sub dir/typed.txt")}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { url: string };
    const page = await open(DISALLOWED);
    // Code for the page is passed as text: the test transform's helpers do not exist there.
    const attempt = (url: string, init = {}) => page.evaluate(`fetch(${JSON.stringify(url)}, ${JSON.stringify(init)}).then((r) => "read " + r.status, () => "blocked")`);
    const outcomes = {
      token: await attempt(`${rig.pipeline.serverUrl}/_local/token`),
      health: await attempt(`${rig.pipeline.apiUrl}/health`),
      presign: await attempt(`${rig.pipeline.apiUrl}/presign?file=a`, { headers: { Authorization: `Bearer ${token}` } }),
      download: await attempt(download.url),
    };
    expect(outcomes).toEqual({ token: "blocked", health: "blocked", presign: "blocked", download: "blocked" });
    await page.close();
  });

  test("from a second allowed origin, API Gateway's 401 is readable (status and JSON body)", async () => {
    const page = await open(SECOND);
    const result = await page.evaluate(`fetch(${JSON.stringify(`${rig.pipeline.apiUrl}/presign?file=x`)}).then(async (r) => ({ status: r.status, body: await r.json() }))`);
    expect(result).toEqual({ status: 401, body: { code: "UNAUTHORIZED", message: "Unauthorized" } });
    await page.close();
  });
});
