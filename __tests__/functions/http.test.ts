import { httpHandler, ok } from "../../functions/lib/http";
import { log } from "../../functions/lib/log";
import { apiEvent } from "./events";

// The one wrapper every route handler uses: CORS on every answer, faults as a fixed 500, request ids in the log.
describe("httpHandler", () => {
  const saved = { ...process.env };
  let lines: string[];
  beforeEach(() => {
    process.env.ALLOWED_ORIGINS = "https://a.example.com,https://b.example.com";
    process.env.LOG_LEVEL = "INFO";
    lines = [];
    jest.spyOn(process.stdout, "write").mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
  });
  const context = { awsRequestId: "req-1234" } as any;

  test("a thrown fault is a 500 with a fixed message; the cause and the request id go to the log only", async () => {
    const handler = httpHandler(async () => {
      throw new Error("secret detail");
    });
    const res = await handler(apiEvent({ headers: { origin: "https://b.example.com" } }), context);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("secret detail");
    expect(res.headers).toMatchObject({ "Access-Control-Allow-Origin": "https://b.example.com", Vary: "Origin" });
    const line = JSON.parse(lines.find((l) => l.includes("request failed"))!);
    expect(line).toMatchObject({ level: "ERROR", requestId: "req-1234", error: { message: "secret detail" } });
  });

  test("every log line of an invocation carries its request id", async () => {
    const handler = httpHandler(async () => {
      log.info("inside the route");
      return ok({});
    });
    await handler(apiEvent({}), context);
    expect(JSON.parse(lines.find((l) => l.includes("inside the route"))!).requestId).toBe("req-1234");
  });

  test("a disallowed origin is never reflected; hostile events are a 400", async () => {
    const handler = httpHandler(async () => ok({ fine: true }));
    const res = await handler(apiEvent({ headers: { Origin: "https://evil.example.com" } }), context);
    expect(res.headers!["Access-Control-Allow-Origin"]).toBe("https://a.example.com");
    expect((await handler(null as any, context)).statusCode).toBe(400);
    expect((await handler({ queryStringParameters: "x", pathParameters: 3 } as any, context)).statusCode).toBe(200);
  });
});
