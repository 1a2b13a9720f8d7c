import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A stand-in for the base64 KMS ciphertext SSM returns: opaque, and not the value. */
const ciphertextOf = (name: string, value: string) => Buffer.concat([Buffer.from([1, 2, 2, 0]), createHash("sha256").update(`${name}\0${value}`).digest()]).toString("base64");

/** Just enough of SSM for the authorizer: GetParameter over the JSON protocol, on 127.0.0.1. */
export async function startLocalSsm(parameters: Record<string, string>): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      res.setHeader("content-type", "application/x-amz-json-1.1");
      let request: { Name?: string; WithDecryption?: boolean } = {};
      try {
        request = JSON.parse(body || "{}") as typeof request;
      } catch {
        // fall through to the errors below
      }
      const name = request.Name ?? "";
      if (!/^AWS4-HMAC-SHA256 Credential=/.test(String(req.headers.authorization ?? ""))) {
        // SSM answers no unsigned request (the handler's client must carry credentials).
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" }));
      } else if (target !== "AmazonSSM.GetParameter") {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: "UnknownOperationException", message: `${target} is not emulated` }));
      } else if (!(name in parameters)) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: "ParameterNotFound", message: `Parameter ${name} not found.` }));
      } else {
        // Without WithDecryption, SSM returns a SecureString's ciphertext, never its value: a reader that forgot the
        // flag gets an opaque blob here too, not the secret.
        const value = request.WithDecryption === true ? parameters[name]! : ciphertextOf(name, parameters[name]!);
        res.end(JSON.stringify({ Parameter: { Name: name, Type: "SecureString", Value: value, Version: 1 } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
