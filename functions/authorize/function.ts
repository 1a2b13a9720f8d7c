import { defineFunction } from "../../pipeline/function-declaration";
import { ssmParameter } from "../../pipeline/refs";

export default defineFunction((config) => {
  const auth = config.api.auth;
  return {
    description: "API Gateway TOKEN authorizer verifying JWTs",
    memoryMb: 256,
    timeoutSeconds: 5,
    environment: {
      ...(auth.jwksUrl ? { JWKS_URL: auth.jwksUrl } : {}),
      ...(auth.jwtSecretParam ? { JWT_SECRET_PARAM: auth.jwtSecretParam } : {}),
      ...(auth.issuer ? { JWT_ISSUER: auth.issuer } : {}),
      ...(auth.audience ? { JWT_AUDIENCE: auth.audience } : {}),
    },
    // A JWKS over HTTPS needs no AWS permission; an HS256 secret is read from SSM.
    permissions:
      auth.enabled && auth.jwtSecretParam
        ? [{ sid: "ReadJwtSecret", actions: ["ssm:GetParameter"], resources: [ssmParameter(auth.jwtSecretParam).arn] }]
        : [],
    authorizer: {
      header: "Authorization",
      // Malformed headers are refused by API Gateway without invoking (or paying for) the authorizer.
      validationExpression: "^Bearer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]*$",
    },
  };
});
