import type { EnvironmentConfig } from "../config";
import { ACCOUNT_ROLE_PATH, apiGatewayLogsRoleName, bootstrapNames, BOUNDARY_REVISION_TAG, permissionsBoundaryName } from "../config/bootstrap";
import { BOUNDARY_REVISION } from "../constructs/deploy-role-policy";
import type { OfflineAwsOptions } from "./offline-aws";

/**
 * What the bootstrap leaves in an account that the environments' plans read, as the offline AWS answers it: the API
 * Gateway logs role of each region, each environment's deploy role and its permissions boundary, tagged with its
 * revision (the current one, or `boundaryRevision`: an account bootstrapped before the last boundary change).
 */
export function bootstrappedAccount(configs: readonly EnvironmentConfig[], boundaryRevision: number = BOUNDARY_REVISION): Required<OfflineAwsOptions> {
  const unique = <T>(values: T[]) => [...new Map(values.map((v) => [JSON.stringify(v), v])).values()];
  return {
    roles: unique([
      ...configs.map((c) => ({ name: apiGatewayLogsRoleName(c.app, c.region), path: ACCOUNT_ROLE_PATH })),
      ...configs.map((c) => ({ name: bootstrapNames(c.app).deployRole(c.env), path: "/" })),
    ]),
    policies: configs.map((c) => ({ name: permissionsBoundaryName(c.app, c.env), tags: { [BOUNDARY_REVISION_TAG]: String(boundaryRevision) } })),
  };
}
