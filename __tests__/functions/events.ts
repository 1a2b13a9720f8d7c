import type { APIGatewayProxyEvent } from "aws-lambda";

/** The principal the authorizer names in every test event (`requestContext.authorizer.principalId`). */
export const TEST_PRINCIPAL = "user-1";

/** A REST API (v1) proxy event with only what the handlers read; the rest is API Gateway's usual shape. */
export function apiEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    resource: "/presign",
    path: "/presign",
    httpMethod: "GET",
    headers: { Origin: "http://localhost:3000" },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { authorizer: { principalId: TEST_PRINCIPAL } } as unknown as APIGatewayProxyEvent["requestContext"],
    body: null,
    isBase64Encoded: false,
    ...overrides,
  };
}

/** An S3 ObjectCreated record exactly as S3 sends it: the key form-URL-encoded. */
export function s3Record(key: string, opts: { bucket?: string; size?: number; sequencer?: string; versionId?: string; eventName?: string } = {}) {
  const encoded = encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventTime: "2026-11-21T10:00:00.000Z",
    eventName: opts.eventName ?? "ObjectCreated:Put",
    userIdentity: { principalId: "AWS:EXAMPLE" },
    requestParameters: { sourceIPAddress: "127.0.0.1" },
    responseElements: { "x-amz-request-id": "REQ", "x-amz-id-2": "ID2" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "process-uploads",
      bucket: { name: opts.bucket ?? "in-bucket", ownerIdentity: { principalId: "OWNER" }, arn: `arn:aws:s3:::${opts.bucket ?? "in-bucket"}` },
      object: {
        key: encoded,
        size: opts.size ?? 11,
        eTag: "5eb63bbbe01eeed093cb22bb8f5acdc3",
        ...(opts.versionId ? { versionId: opts.versionId } : {}),
        sequencer: opts.sequencer ?? "0055AED6DCD90281E5",
      },
    },
  };
}
