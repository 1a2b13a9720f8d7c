import { App, TerraformStack } from "cdktf";
import { ApiGatewayGatewayResponse } from "@cdktf/provider-aws/lib/api-gateway-gateway-response";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { RestApiRoutes } from "../../constructs/rest-api-routes";

// The deployment names its parts by plain address (no token per part): only a part of its own stack can be named so.
test("a part from another stack stops deploy(), naming both", () => {
  const app = new App({ outdir: "/nonexistent-never-written", skipValidation: true });
  const api = new TerraformStack(app, "api");
  const other = new TerraformStack(app, "other");
  const restApi = new ApiGatewayRestApi(api, "rest-api", { name: "x" });
  const routes = new RestApiRoutes(api, restApi, ["https://example.com"]);
  routes.track(new ApiGatewayGatewayResponse(other, "elsewhere", { restApiId: "id", responseType: "DEFAULT_4XX" }));
  expect(() => routes.deploy()).toThrow("other/elsewhere is not in the stack of api");
});
