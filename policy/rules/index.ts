import type { Rule } from "../types";
import { apiGatewayRules } from "./apigateway";
import { dataRules } from "./data";
import { iamRules } from "./iam";
import { lambdaRules } from "./lambda";
import { s3Rules } from "./s3";
import { wiringRules } from "./wiring";

export const RULES: readonly Rule[] = [...s3Rules, ...iamRules, ...lambdaRules, ...apiGatewayRules, ...dataRules, ...wiringRules];
export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));
