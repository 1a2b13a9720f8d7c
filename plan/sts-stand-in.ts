import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** The account id offline plans run in (aws_caller_identity answers it). */
export const OFFLINE_ACCOUNT = "000000000000";

/**
 * The one AWS call an offline plan makes: STS GetCallerIdentity, for data.aws_caller_identity. Answered on
 * 127.0.0.1 (query protocol, XML) so that a plan needs no account; any other action is refused loudly.
 */
export async function startStsStandIn(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      res.setHeader("content-type", "text/xml");
      if (!new URLSearchParams(body).get("Action")?.startsWith("GetCallerIdentity")) {
        res.statusCode = 400;
        res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>offline plan: only GetCallerIdentity is answered</Message></Error></ErrorResponse>`);
        return;
      }
      res.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>arn:aws:iam::${OFFLINE_ACCOUNT}:user/offline-plan</Arn><UserId>OFFLINEPLAN</UserId><Account>${OFFLINE_ACCOUNT}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>offline-plan</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
