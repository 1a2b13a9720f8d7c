/** Synthesized Terraform JSON of one stack (what cdktf writes to cdk.tf.json). */
export interface TfJson {
  readonly resource?: Record<string, Record<string, TfResourceBody>>;
  readonly data?: Record<string, Record<string, TfResourceBody>>;
  readonly [key: string]: unknown;
}
// Terraform attribute values are arbitrary JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TfResourceBody = Record<string, any>;


export interface ResourceRef {
  readonly type: string;
  readonly name: string;
  readonly address: string;
  readonly body: TfResourceBody;
}

export interface PolicyStatement {
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
}

/** Read helpers over one stack's synthesized JSON; rules use only these. */
export class StackView {
  constructor(readonly json: TfJson) {}

  resources(type: string): ResourceRef[] {
    return Object.entries(this.json.resource?.[type] ?? {}).map(([name, body]) => ({ type, name, address: `${type}.${name}`, body }));
  }

  byAddress(address: string): ResourceRef | undefined {
    const dot = address.indexOf(".");
    const type = address.slice(0, dot);
    const name = address.slice(dot + 1);
    const body = this.json.resource?.[type]?.[name];
    return body ? { type, name, address, body } : undefined;
  }

  /** The resource a `${type.name.attr}` expression points at, when it points into this stack. */
  referenced(value: unknown, type?: string): ResourceRef | undefined {
    if (typeof value !== "string") return undefined;
    const m = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_.]+\}$/.exec(value);
    if (!m || (type && m[1] !== type)) return undefined;
    return this.byAddress(`${m[1]}.${m[2]}`);
  }

  /** All resources whose attribute `attr` references `target`. */
  referencing(type: string, attr: string, target: ResourceRef): ResourceRef[] {
    return this.resources(type).filter((r) => typeof r.body[attr] === "string" && (r.body[attr] as string).startsWith(`\${${target.address}.`));
  }

  constructPath(address: string): string | undefined {
    return this.byAddress(address)?.body["//"]?.metadata?.path;
  }
}

/** Statements of a JSON policy document; undefined when the text is not JSON (then the rule reports it). */
export function policyStatements(text: unknown): PolicyStatement[] | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const doc = JSON.parse(text) as { Statement?: PolicyStatement | PolicyStatement[] };
    return doc.Statement === undefined ? [] : [doc.Statement].flat();
  } catch {
    return undefined;
  }
}

export const asList = (v: string | readonly string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

/** Terraform blocks arrive as an object or a one-element list depending on the provider schema. */
export function block(value: unknown): TfResourceBody | undefined {
  if (Array.isArray(value)) return value[0] as TfResourceBody | undefined;
  return value && typeof value === "object" ? (value as TfResourceBody) : undefined;
}
