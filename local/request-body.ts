/** A request body over the reader's limit: the rest was read and dropped. */
export class RequestBodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

/**
 * A request's whole body; rejects when the request breaks off, or (RequestBodyTooLarge) once it passes `limit`
 * bytes, after reading the rest without keeping it. The one reader of the local servers.
 */
export function readRequestBody(req: NodeJS.ReadableStream, limit = Infinity): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () => (size > limit ? reject(new RequestBodyTooLarge(limit)) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}
