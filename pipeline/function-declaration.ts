import type { EnvironmentConfig } from "../config";
import type { BucketName, EnvValue, ResourceRef } from "./refs";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One HTTP route served by the function through a Lambda proxy integration. */
export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** Resource path as API Gateway writes it, e.g. "/files/{key+}" ({name+} only as the last segment). */
  readonly path: string;
  /** Behind the environment's authorizer when the environment turns auth on (default true). */
  readonly auth?: boolean;
  /** Query parameters the route reads; true = API Gateway refuses a request without it. */
  readonly query?: Readonly<Record<string, boolean>>;
}

/** Object-created events of one bucket, optionally narrowed by key prefix and suffix (S3's own filters). */
export interface ObjectCreatedSubscription {
  readonly bucket: BucketName;
  readonly prefix?: string;
  readonly suffix?: string;
  /** S3 event types (default s3:ObjectCreated:*). */
  readonly events?: readonly string[];
}

/** One IAM statement: exact actions on exact resources. */
export interface PermissionStatement {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly ResourceRef[];
}

/** The function is the API's TOKEN authorizer. */
export interface AuthorizerDeclaration {
  /** The request header carrying the token. */
  readonly header: string;
  /** API Gateway refuses tokens not matching this without invoking (or paying for) the function. */
  readonly validationExpression: string;
}

/** Everything the stacks need to know about one function, declared next to its handler. */
export interface FunctionDeclaration {
  readonly description: string;
  /** Defaults; an environment may override them in config (functions.<name>). */
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly environment?: Readonly<Record<string, EnvValue>>;
  readonly permissions?: readonly PermissionStatement[];
  readonly routes?: readonly RouteDeclaration[];
  readonly objectCreated?: readonly ObjectCreatedSubscription[];
  readonly authorizer?: AuthorizerDeclaration;
}

export interface FunctionDefinition {
  /** The declaration for one environment (settings such as origins or key sources vary per environment). */
  readonly declare: (config: EnvironmentConfig) => FunctionDeclaration;
}

/** Used as `export default defineFunction((config) => ({ ... }))` in functions/<name>/function.ts. */
export function defineFunction(declare: (config: EnvironmentConfig) => FunctionDeclaration): FunctionDefinition {
  return { declare };
}

/** A declaration as the stacks use it: named after its folder, settings merged with the environment's overrides. */
export interface PipelineFunction extends FunctionDeclaration {
  readonly name: string;
  /** Handler source relative to the project root. */
  readonly entry: string;
}
