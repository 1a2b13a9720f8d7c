import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Just enough of SSM for the authorizer: GetParameter over the JSON protocol, on 127.0.0.1. */
export async function startLocalSsm(parameters: Record<string, string>): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      res.setHeader("content-type", "application/x-amz-json-1.1");
      let name = "";
      try {
        name = (JSON.parse(body || "{}") as { Name?: string }).Name ?? "";
      } catch {
        // fall through to the error below
      }
      if (target !== "AmazonSSM.GetParameter") {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: "UnknownOperationException", message: `${target} is not emulated` }));
      } else if (!(name in parameters)) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: "ParameterNotFound", message: `Parameter ${name} not found.` }));
      } else {
        res.end(JSON.stringify({ Parameter: { Name: name, Type: "SecureString", Value: parameters[name], Version: 1 } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
