import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicy } from "@cdktf/provider-aws/lib/data-aws-iam-policy";
import { DataAwsIamRoles } from "@cdktf/provider-aws/lib/data-aws-iam-roles";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { PARAMETER_READS, parameterDecryption } from "../constructs/parameter-decryption";
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from "../constructs/policy-document";
import type { PipelineFunction } from "../pipeline/function-declaration";
import type { ResourceRef } from "../pipeline/refs";
import { BOUNDARY_REVISION, BOUNDARY_CHANGES } from "../constructs/deploy-role-policy";
import { BOUNDARY_REVISION_TAG, bootstrapNames, permissionsBoundaryName } from "../config/bootstrap";
import { PipelineStack, type PipelineStackProps } from "./pipeline-stack";
import type { StorageStack } from "./storage-stack";

export interface IamStackProps extends PipelineStackProps {
  readonly storage: StorageStack;
  readonly functions: readonly PipelineFunction[];
}

/**
 * One execution role per declared function: its own log group, X-Ray, the statements its declaration lists
 * (exact actions on exact resources) and, for event-driven functions, its failure queue. Log groups and queues
 * are named by convention (config naming), so their ARNs are known here before compute creates them and no
 * reference points back from iam to compute.
 */
export class IamStack extends PipelineStack {
  readonly roles: ReadonlyMap<string, IamRole>;

  constructor(scope: Construct, id: string, props: IamStackProps) {
    super(scope, id, props);
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const { partition, dnsSuffix } = new DataAwsPartition(this, "partition");
    const region = this.config.region;
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
    const resolve = (ref: ResourceRef) => props.storage.reference(ref, arn);

    // The bootstrap's ceiling for this environment's roles: the deploy role may only create roles that carry it.
    const boundaryName = permissionsBoundaryName(this.config.app, this.config.env);
    const permissionsBoundary = `arn:${partition}:iam::${account}:policy/${boundaryName}`;
    this.requireBoundaryRevision(boundaryName, permissionsBoundary);

    const roles = new Map<string, IamRole>();
    for (const fn of props.functions) {
      const role = new IamRole(this, `${fn.name}-role`, {
        name: this.names.role(fn.name),
        description: `Execution role of ${this.names.functionName(fn.name)}`,
        assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
        permissionsBoundary,
      });
      const declared = (fn.permissions ?? []).flatMap((p): PolicyStatement[] => {
        const statement: PolicyStatement = { Sid: p.sid, Effect: "Allow", Action: single(p.actions), Resource: single(p.resources.map(resolve)) };
        // A parameter read decrypts it too (SecureString): through SSM, for exactly these parameters.
        const parameters = p.actions.some((a) => PARAMETER_READS.includes(a)) ? p.resources.filter((r) => r.kind === "ssm-parameter" && r.part === "arn") : [];
        return parameters.length ? [statement, parameterDecryption(`${p.sid}Decryption`, { partition, region, account, dnsSuffix }, single(parameters.map(resolve)))] : [statement];
      });
      const onFailure: PolicyStatement[] = fn.objectCreated?.length
        ? [{ Sid: "OnFailureDestination", Effect: "Allow", Action: "sqs:SendMessage", Resource: arn("sqs", this.names.failureQueue(fn.name)) }]
        : [];
      new IamRolePolicy(this, `${fn.name}-role-policy`, {
        name: "least-privilege",
        role: role.id,
        policy: policyDocument([
          {
            Sid: "OwnLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${arn("logs", `log-group:${this.names.logGroup(fn.name)}`)}:*`,
          },
          {
            // X-Ray's write actions do not support resource-level permissions; "*" is the only valid resource.
            Sid: "XRayWrite",
            Effect: "Allow",
            Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Resource: "*",
          },
          ...declared,
          ...onFailure,
        ]),
      });
      roles.set(fn.name, role);
    }
    this.roles = roles;
  }

  /**
   * The plan fails while the account's boundary is older than the one these roles were checked against
   * (boundary-fit.test.ts): a narrower ceiling would plan and apply, then refuse a handler's call with AccessDenied.
   * Read only where the bootstrap has run (its deploy role exists): elsewhere the read would fail without saying
   * why, and the API stack's plan says to apply the bootstrap first.
   */
  private requireBoundaryRevision(name: string, arn: string): void {
    const { app, env } = this.config;
    const bootstrapped = new DataAwsIamRoles(this, "bootstrap-deploy-role", { nameRegex: `^${bootstrapNames(app).deployRole(env)}$` });
    const tag = `self.tags["${BOUNDARY_REVISION_TAG}"]`;
    new DataAwsIamPolicy(this, "permissions-boundary", {
      count: Token.asNumber(Fn.lengthOf(bootstrapped.names)),
      arn,
      lifecycle: {
        postcondition: [
          {
            condition: `\${try(tonumber(${tag}), 0) >= ${BOUNDARY_REVISION}}`,
            errorMessage: `The permissions boundary ${name} is at revision \${try(${tag}, "none")}; the ${env} roles need revision ${BOUNDARY_REVISION} (its change: ${BOUNDARY_CHANGES[BOUNDARY_REVISION - 1]}). Apply the bootstrap stack again before deploying ${env} (README, Deploying).`,
          },
        ],
      },
    });
  }

  role(fn: string): IamRole {
    const role = this.roles.get(fn);
    if (!role) throw new Error(`no role for function "${fn}"`);
    return role;
  }
}

/** A one-element list is written as a plain string, as people write policies (and as reviewers expect). */
function single(values: readonly string[]): string | readonly string[] {
  return values.length === 1 ? values[0]! : values;
}
