/** SigV4 presigned URLs are valid for at most seven days. */
export const MAX_PRESIGNED_URL_SECONDS = 604800;
/** One PUT uploads at most 5 GiB; larger objects need a multipart upload. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
