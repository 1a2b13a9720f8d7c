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
  // One logs role per region, shared by the environments there.
  const logsRoles = new Set(configs.map((c) => apiGatewayLogsRoleName(c.app, c.region)));
  return {
    roles: [...[...logsRoles].map((name) => ({ name, path: ACCOUNT_ROLE_PATH })), ...configs.map((c) => ({ name: bootstrapNames(c.app).deployRole(c.env), path: "/" }))],
    policies: configs.map((c) => ({ name: permissionsBoundaryName(c.app, c.env), tags: { [BOUNDARY_REVISION_TAG]: String(boundaryRevision) } })),
  };
}
