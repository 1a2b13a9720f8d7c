import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ACCOUNT_ID } from "../config/validate";

/** The account id offline plans run in where a stack names none (aws_caller_identity answers it). */
export const OFFLINE_ACCOUNT = "000000000000";

const KEY_PREFIX = "OFFLINE";

/**
 * Offline credentials of an account: as with a real key, the account is the one the key belongs to, so the AWS
 * provider's `allowed_account_ids` check runs offline as it does against AWS.
 */
export const offlineAccessKey = (account: string): string => `${KEY_PREFIX}${account}`;

/** The account of the key that signed a request (SigV4 `Credential=<key>/…`): OFFLINE_ACCOUNT for any other key. */
function signingAccount(authorization: string | undefined): string {
  const key = /Credential=([^/,\s]+)\//.exec(authorization ?? "")?.[1] ?? "";
  const account = key.startsWith(KEY_PREFIX) ? key.slice(KEY_PREFIX.length) : "";
  return ACCOUNT_ID.test(account) ? account : OFFLINE_ACCOUNT;
}

export interface OfflineAwsOptions {
  /**
   * Roles ListRoles answers with, as a bootstrapped account has them (data.aws_iam_roles of the API stacks checks
   * for the API Gateway logs role). Default: none, an account the bootstrap never ran in.
   */
  readonly roles?: ReadonlyArray<{ readonly name: string; readonly path: string }>;
}

const ANSWERED = "only GetCallerIdentity and ListRoles are answered";
const NAMESPACES = { GetCallerIdentity: "https://sts.amazonaws.com/doc/2011-06-15/", ListRoles: "https://iam.amazonaws.com/doc/2010-05-08/" } as const;
const xml = (action: keyof typeof NAMESPACES, result: string) =>
  `<${action}Response xmlns="${NAMESPACES[action]}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>offline-plan</RequestId></ResponseMetadata></${action}Response>`;

/**
 * The AWS calls an offline plan makes, answered on 127.0.0.1 (query protocol, XML) so that a plan needs no account:
 * STS GetCallerIdentity (data.aws_caller_identity) and IAM ListRoles (data.aws_iam_roles). Any other action is
 * refused loudly.
 */
export async function startOfflineAws(options: OfflineAwsOptions = {}): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      res.setHeader("content-type", "text/xml");
      const params = new URLSearchParams(body);
      const action = params.get("Action");
      const account = signingAccount(req.headers.authorization);
      if (action === "GetCallerIdentity") {
        res.end(xml(action, `<Arn>arn:aws:iam::${account}:user/offline-plan</Arn><UserId>OFFLINEPLAN</UserId><Account>${account}</Account>`));
        return;
      }
      if (action === "ListRoles") {
        const prefix = params.get("PathPrefix") ?? "/";
        const members = (options.roles ?? [])
          .filter((r) => r.path.startsWith(prefix))
          .map((r) => `<member><Path>${r.path}</Path><RoleName>${r.name}</RoleName><RoleId>AROAOFFLINE${r.name.length}</RoleId><Arn>arn:aws:iam::${account}:role${r.path}${r.name}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></member>`)
          .join("");
        res.end(xml(action, `<IsTruncated>false</IsTruncated><Roles>${members}</Roles>`));
        return;
      }
      res.statusCode = 400;
      const target = req.headers["x-amz-target"];
      if (target) {
        // A JSON-protocol service (SSM): its error shape, so the provider names the refusal instead of a parse error.
        res.setHeader("content-type", "application/x-amz-json-1.1");
        res.end(JSON.stringify({ __type: "AccessDeniedException", message: `offline plan: ${String(target)} is refused (${ANSWERED})` }));
        return;
      }
      res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>offline plan: ${ANSWERED}</Message></Error></ErrorResponse>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
