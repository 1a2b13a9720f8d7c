import { createHash, randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { principalPrefix } from "../../functions/lib/key-space";
import { describeInBrowser, startBrowserRig, type BrowserRig } from "./rig";

// Stock @uppy/core + @uppy/aws-s3 (served to the page from node_modules) against the API's Companion-compatible
// routes, as two users: a small single-PUT file and a multipart file above 20 MB each, and neither sees the other's.
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const MiB = 1024 * 1024;

describeInBrowser("uppy.test.ts")("Uppy uploads as two users", () => {
  let rig: BrowserRig;
  beforeAll(async () => {
    rig = await startBrowserRig(1, 1);
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  const files = (user: string) => [
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from(`${user}'s notes ✓\n`) },
    { name: "video.bin", mimeType: "application/octet-stream", buffer: randomBytes(21 * MiB + 12345) },
  ];

  async function uploadAs(user: string, list: ReturnType<typeof files>): Promise<Page> {
    const page = await rig.open(rig.origins[0]!, `/uppy?user=${user}`);
    await page.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
    await page.setInputFiles("#files", list);
    await page.locator('tr[data-state="processed"]').nth(list.length - 1).waitFor({ timeout: 90_000 });
    expect(await page.locator('tr[data-state="failed"]').count()).toBe(0);
    return page;
  }

  // Page code is passed as text: the test transform's helpers do not exist in the page.
  const status = (page: Page, name: string) => page.evaluate(`window.fileStatus(${JSON.stringify(name)})`) as Promise<{ status: number; body: Record<string, unknown> }>;
  const download = (page: Page, name: string) => page.evaluate(`window.download(${JSON.stringify(name)})`) as Promise<{ status: number; size?: number; sha256?: string }>;

  test("each user's small and multipart files are processed in their own space, byte-identical, invisible to the other", async () => {
    const alice = files("alice");
    const bob = files("bob");
    const alicePage = await uploadAs("alice", alice);
    const bobPage = await uploadAs("bob", bob);

    for (const [user, page, list] of [["alice", alicePage, alice], ["bob", bobPage, bob]] as const) {
      expect(await page.locator("tr", { hasText: "video.bin" }).locator("td").nth(2).textContent()).toBe("multipart");
      for (const f of list) {
        const s = await status(page, f.name);
        expect(s.status).toBe(200);
        expect(s.body).toMatchObject({ key: `${principalPrefix(user)}${f.name}`, owner: user, size: f.buffer.length, status: "PROCESSED" });
        expect(await download(page, f.name)).toEqual({ status: 200, size: f.buffer.length, sha256: sha256(f.buffer) });
      }
      // The multipart upload's object carries S3's multipart ETag: 5 parts of 5 MiB.
      expect((await status(page, "video.bin")).body.etag).toMatch(/^[0-9a-f]{32}-5$/);
    }

    // Same names, different owners: each sees only their own bytes, and the other's full key is nothing to them.
    const never = await status(bobPage, "never-uploaded.txt");
    expect(never.status).toBe(404);
    const aliceFull = await status(bobPage, `${principalPrefix("alice")}video.bin`);
    expect(aliceFull.status).toBe(404);
    expect(aliceFull.body.code).toBe(never.body.code);
    expect((await download(bobPage, `${principalPrefix("alice")}notes.txt`)).status).not.toBe(200);
    expect((await download(bobPage, "notes.txt")).sha256).toBe(sha256(bob[0]!.buffer));
    expect((await download(alicePage, "notes.txt")).sha256).toBe(sha256(alice[0]!.buffer));
  }, 180_000);
});
