import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ssmRequests } from "./iam-actions";
import { guardJsonCall, withBody } from "./json-guard";
import { DEFAULT_LOCAL_REGION, LocalIam } from "./local-iam";
import { LOCAL_ACCOUNT } from "../synth/synthesized-app";

/** A stand-in for the base64 KMS ciphertext SSM returns: opaque, and not the value. */
const ciphertextOf = (name: string, value: string) => Buffer.concat([Buffer.from([1, 2, 2, 0]), createHash("sha256").update(`${name}\0${value}`).digest()]).toString("base64");

export interface LocalSsmOptions {
  /** Who may do what (default: the operator's key only, which may do anything). */
  readonly iam?: LocalIam;
  /** The region requests must be signed for; default us-east-1. */
  readonly region?: string;
}

/**
 * Just enough of SSM for the authorizer: GetParameter over the JSON protocol, on 127.0.0.1. Requests are
 * authenticated (SigV4) and authorized as SSM does it: ssm:GetParameter on the parameter and, to decrypt a
 * SecureString, the caller's own kms:Decrypt via SSM.
 */
export async function startLocalSsm(parameters: Record<string, string>, options: LocalSsmOptions = {}): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const iam = options.iam ?? new LocalIam();
  const service = { service: "ssm", targetPrefix: "AmazonSSM.", scope: { region: options.region ?? DEFAULT_LOCAL_REGION, account: LOCAL_ACCOUNT }, requestsOf: ssmRequests };
  const server: Server = createServer((req, res) => {
    withBody(req, res, (raw) => {
      res.setHeader("content-type", "application/x-amz-json-1.1");
      const answer = (status: number, body: unknown) => {
        res.statusCode = status;
        res.end(JSON.stringify(body));
      };
      const refused = guardJsonCall(iam, service, req, raw);
      if (refused) return answer(refused.status, { __type: refused.type, message: refused.message });
      const target = String(req.headers["x-amz-target"] ?? "");
      let request: { Name?: string; WithDecryption?: boolean } = {};
      try {
        request = JSON.parse(raw.toString("utf8") || "{}") as typeof request;
      } catch {
        // fall through to the errors below
      }
      const name = request.Name ?? "";
      if (target !== "AmazonSSM.GetParameter") return answer(400, { __type: "UnknownOperationException", message: `${target} is not emulated` });
      if (!(name in parameters)) return answer(400, { __type: "ParameterNotFound", message: `Parameter ${name} not found.` });
      // Without WithDecryption, SSM returns a SecureString's ciphertext, never its value: a reader that forgot the
      // flag gets an opaque blob here too, not the secret.
      const value = request.WithDecryption === true ? parameters[name]! : ciphertextOf(name, parameters[name]!);
      return answer(200, { Parameter: { Name: name, Type: "SecureString", Value: value, Version: 1 } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
