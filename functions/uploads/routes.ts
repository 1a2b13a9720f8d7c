import type { RouteDeclaration } from "../../pipeline/function-declaration";

/**
 * The S3 upload endpoints of Uppy's Companion (what @uppy/aws-s3's `endpoint` option calls), declared once: the
 * function declaration turns them into API routes and the handler dispatches on the same paths.
 */
export const UPLOAD_ROUTES = {
  params: { method: "GET", path: "/s3/params", query: { filename: true, type: false } },
  create: { method: "POST", path: "/s3/multipart" },
  list: { method: "GET", path: "/s3/multipart/{uploadId}", query: { key: true } },
  abort: { method: "DELETE", path: "/s3/multipart/{uploadId}", query: { key: true } },
  signBatch: { method: "GET", path: "/s3/multipart/{uploadId}/batch", query: { key: true, partNumbers: true } },
  signPart: { method: "GET", path: "/s3/multipart/{uploadId}/{partNumber}", query: { key: true } },
  complete: { method: "POST", path: "/s3/multipart/{uploadId}/complete", query: { key: true } },
} as const satisfies Record<string, RouteDeclaration>;

export type UploadRoute = keyof typeof UPLOAD_ROUTES;
