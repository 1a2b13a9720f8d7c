import { deflateRawSync, inflateRawSync } from "node:zlib";
import { zipDeterministic, zipDeterministicAsync, type ZipEntry } from "../../constructs/zip";

// constructs/zip.ts deflates each entry in one output chunk (see deflateOptions): the bytes must be zlib's level-6
// stream as deflated in its default 16 KB chunks, or every function's code hash would change.

/** Deterministic text that compresses like a bundle (repeated identifiers, varied numbers): ~2 MB. */
function bundleLike(): Buffer {
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const words = ["function", "return", "const", "exports", "require", "__name", "Symbol", "Promise", "await", "this"];
  const parts: string[] = [];
  for (let i = 0; i < 200_000; i++) parts.push(`${words[next() % words.length]}(${next() % 9973})`);
  return Buffer.from(parts.join(";"));
}

/** Bytes that do not compress: the stream is longer than its input. */
function incompressible(): Buffer {
  let seed = 7;
  return Buffer.from(Array.from({ length: 300_000 }, () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24));
}

/** Each entry of a zip as stored: name and compressed bytes (local headers, in order). */
function stored(zip: Buffer): Array<{ name: string; compressed: Buffer }> {
  const entries: Array<{ name: string; compressed: Buffer }> = [];
  for (let at = 0; zip.readUInt32LE(at) === 0x04034b50; ) {
    const size = zip.readUInt32LE(at + 18);
    const nameLength = zip.readUInt16LE(at + 26);
    const name = zip.subarray(at + 30, at + 30 + nameLength).toString("utf8");
    const start = at + 30 + nameLength + zip.readUInt16LE(at + 28);
    entries.push({ name, compressed: zip.subarray(start, start + size) });
    at = start + size;
  }
  return entries;
}

const entries: ZipEntry[] = [
  { name: "index.js.map", data: bundleLike() },
  { name: "index.js", data: incompressible() },
  { name: "empty", data: Buffer.alloc(0) },
];

test("each entry is zlib's level-6 stream as deflated in default chunks, sync and async alike", async () => {
  const zip = zipDeterministic(entries);
  expect((await zipDeterministicAsync(entries)).equals(zip)).toBe(true);
  const byName = new Map(entries.map((e) => [e.name, e.data]));
  const inZip = stored(zip);
  expect(inZip.map((e) => e.name)).toEqual(["empty", "index.js", "index.js.map"]);
  for (const { name, compressed } of inZip) {
    const data = byName.get(name)!;
    expect({ name, same: compressed.equals(deflateRawSync(data, { level: 6 })) }).toEqual({ name, same: true });
    expect(inflateRawSync(compressed).equals(data)).toBe(true);
  }
  // The cases that matter: more than one default chunk of output, and output longer than its input.
  expect(deflateRawSync(byName.get("index.js.map")!, { level: 6 }).length).toBeGreaterThan(16 * 1024);
  expect(inZip.find((e) => e.name === "index.js")!.compressed.length).toBeGreaterThan(byName.get("index.js")!.length);
});
