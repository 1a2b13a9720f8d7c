import { asList, block, policyStatements, type PolicyStatement, type StackView } from "../../synth/stack-view";
import { GITHUB_OIDC_HOST } from "../../config/bootstrap";
import { actionMatches } from "../iam-evaluation";
import { IAM_POLICY_QUOTAS } from "../../config/aws-quotas";
import { policySizeBound } from "../resolved-size";
import type { Finding, Rule } from "../types";

/** Actions that AWS does not allow to be scoped to a resource: "*" is the only valid Resource for them. */
const UNSCOPABLE_ACTIONS = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
  "logs:DescribeLogGroups",
  "cloudwatch:PutMetricData",
  "iam:ListRoles",
  "kms:CreateKey",
  "kms:ListAliases",
  "ssm:DescribeParameters",
]);

/** Every identity policy document in the stack, with the address it came from. */
function identityPolicies(stack: StackView): Array<{ address: string; statements: PolicyStatement[] | undefined }> {
  const out: Array<{ address: string; statements: PolicyStatement[] | undefined }> = [];
  for (const type of ["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"]) {
    for (const r of stack.resources(type)) out.push({ address: r.address, statements: policyStatements(r.body.policy) });
  }
  for (const role of stack.resources("aws_iam_role")) {
    for (const inline of asList(role.body.inline_policy)) {
      out.push({ address: role.address, statements: policyStatements((inline as unknown as { policy?: string })?.policy) });
    }
  }
  return out;
}


/** A GitHub OIDC trust must pin the audience and the subject (repository + environment or event) exactly. */
function githubOidcTrust(address: string, s: PolicyStatement & { Condition?: Record<string, Record<string, unknown>> }): Finding[] {
  const federated = asList(block(s.Principal)?.Federated as string | string[] | undefined);
  if (!federated.every((f) => f.includes(`oidc-provider/${GITHUB_OIDC_HOST}`) || f.includes("aws_iam_openid_connect_provider"))) {
    return [{ address, message: `trusts federated principal ${federated.join(", ")}, not the GitHub OIDC provider` }];
  }
  const equals = s.Condition?.StringEquals ?? {};
  const aud = equals[`${GITHUB_OIDC_HOST}:aud`];
  const sub = asList(equals[`${GITHUB_OIDC_HOST}:sub`] as string | string[] | undefined);
  if (aud !== "sts.amazonaws.com") return [{ address, message: "GitHub OIDC trust does not pin aud = sts.amazonaws.com" }];
  if (sub.length === 0 || sub.some((x) => x.includes("*"))) return [{ address, message: "GitHub OIDC trust does not pin the subject exactly (StringEquals, no wildcards)" }];
  return [];
}


/** Actions that create or change a role's permissions: allowed only on roles that keep a permissions boundary. */
const ROLE_WRITES = ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy"];
/** Actions that remove or rewrite a boundary (or any managed policy): never allowed to a role that manages roles. */
const BOUNDARY_WRITES = ["iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:CreateUser", "iam:CreateAccessKey"];

function conditionKeys(s: PolicyStatement): string[] {
  const c = (s as { Condition?: Record<string, Record<string, unknown>> }).Condition ?? {};
  return Object.values(c).flatMap((block) => Object.keys(block ?? {}).map((k) => k.toLowerCase()));
}

const unreadable = (address: string): Finding => ({ address, message: "policy is not a JSON document the gate can check" });

/** Runs `check` on every identity policy document of the stack; a document the gate cannot read is a finding. */
function eachIdentityPolicy(stack: StackView, check: (address: string, statements: PolicyStatement[]) => Finding[]): Finding[] {
  return identityPolicies(stack).flatMap(({ address, statements }) => (statements ? check(address, statements) : [unreadable(address)]));
}

const characters = (n: number) => n.toLocaleString("en-US");

/** Inline policies of each role of the stack (aws_iam_role_policy by its role reference or name, and inline_policy blocks). */
function inlinePoliciesByRole(stack: StackView): Map<string, Array<{ address: string; policy: string }>> {
  const roles = stack.resources("aws_iam_role");
  const byRole = new Map(roles.map((r) => [r.address, asList(r.body.inline_policy).map((p) => ({ address: r.address, policy: String((p as unknown as { policy?: string })?.policy ?? "") }))]));
  for (const p of stack.resources("aws_iam_role_policy")) {
    const role = stack.referenced(p.body.role, "aws_iam_role") ?? roles.find((r) => r.body.name === p.body.role);
    const key = role?.address ?? `role ${String(p.body.role)}`;
    byRole.set(key, [...(byRole.get(key) ?? []), { address: p.address, policy: String(p.body.policy ?? "") }]);
  }
  return byRole;
}

export const iamRules: Rule[] = [
  {
    id: "IAM.1",
    title: "No '*' or 'service:*' actions",
    rationale: "Wildcard actions grant every present and future API of a service, including destructive ones.",
    fix: "List the exact actions the code calls (e.g. s3:GetObject) instead of a wildcard; never use NotAction in Allow statements.",
    checkov: "CKV_AWS_63, CKV_AWS_289, CKV_AWS_290",
    cdkNag: "AwsSolutions-IAM5",
    check(stack) {
      return eachIdentityPolicy(stack, (address, statements): Finding[] => {
        return statements
          .filter((s) => s.Effect === "Allow")
          .flatMap((s) => [
            ...asList(s.Action).filter((a) => a === "*" || a.endsWith(":*") || a.includes("*")).map((a) => ({ address, message: `allows wildcard action "${a}"` })),
            ...(s.NotAction ? [{ address, message: "uses NotAction in an Allow statement" }] : []),
          ]);
      });
    },
  },
  {
    id: "IAM.2",
    title: "No '*' resource for actions that support resource scoping",
    rationale: "A scopable action on '*' reaches every bucket, table or queue in the account.",
    fix: `Name the exact ARNs. Only actions AWS cannot scope (${[...UNSCOPABLE_ACTIONS].join(", ")}) may use "*".`,
    checkov: "CKV_AWS_355, CKV_AWS_288",
    cdkNag: "AwsSolutions-IAM5",
    check(stack) {
      return eachIdentityPolicy(stack, (address, statements): Finding[] => {
        return statements
          .filter((s) => s.Effect === "Allow" && asList(s.Resource).includes("*"))
          .flatMap((s) => asList(s.Action).filter((a) => !UNSCOPABLE_ACTIONS.has(a)))
          .map((a) => ({ address, message: `allows "${a}" on resource "*"` }));
      });
    },
  },
  {
    id: "IAM.3",
    title: "No AWS managed FullAccess or administrator policies",
    rationale: "Managed *FullAccess/Admin policies grant far more than a function needs and change without review.",
    fix: "Replace the attachment with an inline policy of exact actions on exact resources.",
    checkov: "CKV_AWS_274",
    cdkNag: "AwsSolutions-IAM4",
    check(stack) {
      const bad = (arn: unknown) => typeof arn === "string" && /:iam::aws:policy\/.*(FullAccess|AdministratorAccess|PowerUserAccess|Admin)/.test(arn);
      const findings: Finding[] = [];
      for (const type of ["aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment"]) {
        for (const r of stack.resources(type)) if (bad(r.body.policy_arn)) findings.push({ address: r.address, message: `attaches ${r.body.policy_arn}` });
      }
      for (const r of stack.resources("aws_iam_role")) {
        for (const arn of asList(r.body.managed_policy_arns)) if (bad(arn)) findings.push({ address: r.address, message: `attaches ${arn}` });
      }
      return findings;
    },
  },
  {
    id: "IAM.4",
    title: "Trust policies name exactly the intended service principal (or a pinned OIDC subject)",
    rationale: "A role assumable by '*', an account or an unexpected service can be used by someone else.",
    fix: 'Make assume_role_policy a single Allow of sts:AssumeRole to {"Service": "<service>.amazonaws.com"}; for GitHub OIDC, sts:AssumeRoleWithWebIdentity with StringEquals on token.actions.githubusercontent.com:aud and :sub.',
    checkov: "CKV_AWS_60, CKV_AWS_61, CKV_AWS_358 (GitHub OIDC sub)",
    cdkNag: "—",
    check(stack, options) {
      return stack.resources("aws_iam_role").flatMap((role): Finding[] => {
        const statements = policyStatements(role.body.assume_role_policy);
        if (!statements) return [{ address: role.address, message: "assume_role_policy is not a JSON document the gate can check" }];
        return statements
          .filter((s) => s.Effect === "Allow")
          .flatMap((s): Finding[] => {
            const principal = block(s.Principal);
            const keys = principal ? Object.keys(principal) : [];
            if (keys.length === 1 && keys[0] === "Federated") return githubOidcTrust(role.address, s);
            const services = asList(principal?.Service as string | string[] | undefined);
            if (s.Principal === "*" || keys.some((k) => k !== "Service")) return [{ address: role.address, message: "trust policy allows a principal other than an AWS service" }];
            const untrusted = services.filter((svc) => !options.trustedServices.includes(svc));
            if (services.length !== 1 || untrusted.length) return [{ address: role.address, message: `trust policy names ${services.join(", ") || "no service"}; expected exactly one of ${options.trustedServices.join(", ")}` }];
            return [];
          });
      });
    },
  },
  {
    id: "IAM.5",
    title: "A role that manages roles cannot escalate",
    rationale: "A deploy role that may create or change roles without a permissions boundary, remove a boundary, rewrite it, or pass roles to any service can make itself administrator.",
    fix: "Allow role writes only with Condition StringEquals iam:PermissionsBoundary = <boundary ARN>; never allow iam:DeleteRolePermissionsBoundary or policy-version writes; allow iam:PassRole only on named roles with Condition iam:PassedToService.",
    checkov: "CKV_AWS_286, CKV_AWS_287 (privilege escalation)",
    cdkNag: "—",
    check(stack) {
      return eachIdentityPolicy(stack, (address, statements): Finding[] => {
        const allows = statements.filter((s) => s.Effect === "Allow");
        const findings: Finding[] = [];
        for (const s of allows) {
          const actions = asList(s.Action);
          const hits = (list: readonly string[]) => list.filter((a) => actions.some((p) => actionMatches(p, a)));
          const roleWrites = hits(ROLE_WRITES);
          if (roleWrites.length && !conditionKeys(s).includes("iam:permissionsboundary")) {
            findings.push({ address, message: `allows ${roleWrites.join(", ")} without requiring a permissions boundary (iam:PermissionsBoundary)` });
          }
          for (const a of hits(BOUNDARY_WRITES)) findings.push({ address, message: `allows ${a}: a boundary could be removed or rewritten` });
          if (hits(["iam:PassRole"]).length) {
            if (asList(s.Resource).some((r) => r === "*" || r.endsWith(":role/*"))) findings.push({ address, message: "allows iam:PassRole on every role" });
            if (!conditionKeys(s).includes("iam:passedtoservice")) findings.push({ address, message: "allows iam:PassRole to any service (no iam:PassedToService condition)" });
          }
        }
        return findings;
      });
    },
  },
  {
    id: "IAM.6",
    title: "Function roles carry a permissions boundary",
    rationale: "The deploy role may only create roles with the environment's boundary; a role without one fails to deploy, or, with a laxer deploy role, is uncapped.",
    fix: "Set permissions_boundary on every Lambda execution role to the environment's boundary policy (the bootstrap creates it).",
    checkov: "—",
    cdkNag: "—",
    check(stack) {
      return stack.resources("aws_iam_role").flatMap((role): Finding[] => {
        const services = (policyStatements(role.body.assume_role_policy) ?? []).flatMap((s) => asList(block(s.Principal)?.Service as string | string[] | undefined));
        if (!services.includes("lambda.amazonaws.com")) return [];
        return typeof role.body.permissions_boundary === "string" && role.body.permissions_boundary !== "" ? [] : [{ address: role.address, message: "Lambda execution role without a permissions boundary" }];
      });
    },
  },
  {
    id: "IAM.7",
    title: "Policy documents fit IAM's size quotas",
    rationale: "IAM refuses a managed policy over 6,144 characters, a role's inline policies over 10,240 together and a trust policy over 2,048 (white space not counted) at apply time, after the stacks before it were applied; synth and plan do not check.",
    fix: "Merge statements that share actions or resources, or split the permissions across roles (a function's own role per concern).",
    checkov: "—",
    cdkNag: "—",
    check(stack) {
      const over = (address: string, what: string, size: number, quota: number): Finding[] =>
        size > quota ? [{ address, message: `${what}: up to ${characters(size)} characters once resolved, over the ${characters(quota)} IAM allows` }] : [];
      return [
        ...stack.resources("aws_iam_policy").flatMap((p) => over(p.address, "managed policy", policySizeBound(String(p.body.policy ?? "")), IAM_POLICY_QUOTAS.managedPolicy)),
        ...stack.resources("aws_iam_role").flatMap((r) => over(r.address, "trust policy", policySizeBound(String(r.body.assume_role_policy ?? "")), IAM_POLICY_QUOTAS.trustPolicy)),
        ...[...inlinePoliciesByRole(stack)].flatMap(([role, policies]) => {
          const sizes = policies.map((p) => ({ ...p, size: policySizeBound(p.policy) }));
          const total = sizes.reduce((sum, p) => sum + p.size, 0);
          return over(role, `inline policies (${sizes.map((p) => `${p.address}: ${characters(p.size)}`).join(", ")})`, total, IAM_POLICY_QUOTAS.roleInlinePolicies);
        }),
      ];
    },
  },
];
