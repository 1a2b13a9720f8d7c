/** SigV4 presigned URLs are valid for at most seven days. */
export const MAX_PRESIGNED_URL_SECONDS = 604800;
