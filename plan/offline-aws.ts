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
   * for the API Gateway logs role, of the iam stacks for the deploy role). Default: none, an account the bootstrap
   * never ran in.
   */
  readonly roles?: ReadonlyArray<{ readonly name: string; readonly path: string }>;
  /**
   * Customer managed policies GetPolicy and GetPolicyVersion answer for, with their tags (the iam
   * stacks read their boundary's revision tag). Their document is a placeholder: no plan reads it.
   */
  readonly policies?: ReadonlyArray<{ readonly name: string; readonly tags: Readonly<Record<string, string>> }>;
}

const ANSWERED = "only GetCallerIdentity, ListRoles, GetPolicy and GetPolicyVersion are answered";
const STS = "https://sts.amazonaws.com/doc/2011-06-15/";
const IAM = "https://iam.amazonaws.com/doc/2010-05-08/";
const xml = (action: string, namespace: string, result: string) =>
  `<${action}Response xmlns="${namespace}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>offline-plan</RequestId></ResponseMetadata></${action}Response>`;
const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const tagsXml = (tags: Readonly<Record<string, string>>) =>
  `<Tags>${Object.entries(tags)
    .map(([k, v]) => `<member><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></member>`)
    .join("")}</Tags>`;
const PLACEHOLDER_DOCUMENT = encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }));

/**
 * The AWS calls an offline plan makes, answered on 127.0.0.1 (query protocol, XML) so that a plan needs no account:
 * STS GetCallerIdentity (data.aws_caller_identity), IAM ListRoles (data.aws_iam_roles) and a policy's reads
 * (data.aws_iam_policy). Any other action is refused loudly; a policy the options do not name is NoSuchEntity, as
 * in an account without it.
 */
export async function startOfflineAws(options: OfflineAwsOptions = {}): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      res.setHeader("content-type", "text/xml");
      const params = new URLSearchParams(body);
      const action = params.get("Action") ?? "";
      const account = signingAccount(req.headers.authorization);
      if (action === "GetCallerIdentity") {
        res.end(xml(action, STS, `<Arn>arn:aws:iam::${account}:user/offline-plan</Arn><UserId>OFFLINEPLAN</UserId><Account>${account}</Account>`));
        return;
      }
      if (action === "ListRoles") {
        const prefix = params.get("PathPrefix") ?? "/";
        const members = (options.roles ?? [])
          .filter((r) => r.path.startsWith(prefix))
          .map((r) => `<member><Path>${r.path}</Path><RoleName>${r.name}</RoleName><RoleId>AROAOFFLINE${r.name.length}</RoleId><Arn>arn:aws:iam::${account}:role${r.path}${r.name}</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></member>`)
          .join("");
        res.end(xml(action, IAM, `<IsTruncated>false</IsTruncated><Roles>${members}</Roles>`));
        return;
      }
      if (action === "GetPolicy" || action === "GetPolicyVersion") {
        const arn = params.get("PolicyArn") ?? "";
        const policy = (options.policies ?? []).find((p) => arn === `arn:aws:iam::${account}:policy/${p.name}`);
        if (!policy) {
          res.statusCode = 404;
          res.end(`<ErrorResponse xmlns="${IAM}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>Policy ${escapeXml(arn)} does not exist or is not attachable.</Message></Error><RequestId>offline-plan</RequestId></ErrorResponse>`);
          return;
        }
        const result =
          action === "GetPolicy"
            ? `<Policy><PolicyName>${policy.name}</PolicyName><DefaultVersionId>v1</DefaultVersionId><PolicyId>ANPAOFFLINE${policy.name.length}</PolicyId><Path>/</Path><Arn>${arn}</Arn><AttachmentCount>0</AttachmentCount><PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount><IsAttachable>true</IsAttachable><CreateDate>2026-01-01T00:00:00Z</CreateDate><UpdateDate>2026-01-01T00:00:00Z</UpdateDate>${tagsXml(policy.tags)}</Policy>`
            : `<PolicyVersion><Document>${PLACEHOLDER_DOCUMENT}</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2026-01-01T00:00:00Z</CreateDate></PolicyVersion>`;
        res.end(xml(action, IAM, result));
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
