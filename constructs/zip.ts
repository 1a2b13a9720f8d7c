import { promisify } from "node:util";
import { crc32, deflateRaw, deflateRawSync, type ZlibOptions } from "node:zlib";

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

// 1980-01-01 00:00 in DOS format: a fixed timestamp makes the archive a pure function of its contents.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * Level 6, with room for the whole output in one chunk. Pitfall: the async deflate hands its output back in
 * chunkSize pieces (16 KB by default), each a round trip through the main thread, so a busy main thread (storing
 * the other bundles) stalls every deflate on the thread pool: ~180 -> ~140 ms for five handlers' 5 MB. The bytes do
 * not depend on the chunk size (tested).
 */
const deflateOptions = (data: Buffer): ZlibOptions => ({ level: 6, chunkSize: Math.max(16 * 1024, data.length + 64 * 1024) });
const deflateRawAsync = promisify(deflateRaw);

const byName = (entries: readonly ZipEntry[]) => [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/**
 * Writes a deterministic zip (entries sorted by name, fixed timestamps and permissions, deflate level 6).
 * cdktf's own archiver stamps file mtimes and spawns a Node process per asset; this does neither.
 */
export function zipDeterministic(entries: readonly ZipEntry[]): Buffer {
  const sorted = byName(entries);
  return archive(sorted, sorted.map((e) => deflateRawSync(e.data, deflateOptions(e.data))));
}

/** The same bytes as zipDeterministic, compressed on libuv's thread pool (several zips deflate in parallel). */
export async function zipDeterministicAsync(entries: readonly ZipEntry[]): Promise<Buffer> {
  const sorted = byName(entries);
  return archive(sorted, await Promise.all(sorted.map((e) => deflateRawAsync(e.data, deflateOptions(e.data)))));
}

function archive(sorted: readonly ZipEntry[], compressedData: readonly Buffer[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [i, entry] of sorted.entries()) {
    const name = Buffer.from(entry.name, "utf8");
    const compressed = compressedData[i]!;
    const crc = crc32(entry.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode below is honoured
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // regular file, rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + compressed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
