/**
 * Example values that must be replaced before a deploy (an origin or issuer at example.com deploys fine, then
 * every browser and every token is refused). Marked where they are written, found wherever they end up.
 */
const PLACEHOLDERS = new Set<string>();

/** Marks `value` as an example to replace: `npm run synth` warns, every deploy path refuses while it is in use. */
export function placeholder<T extends string>(value: T): T {
  PLACEHOLDERS.add(value);
  return value;
}

export interface Unreplaced {
  /** Where in the environment's config, e.g. `api.auth.issuer` or `allowedOrigins[0]`. */
  readonly path: string;
  readonly value: string;
}

/** Every marked example value still in `config`, with its path. */
export function unreplacedPlaceholders(config: unknown, path = ""): Unreplaced[] {
  if (typeof config === "string") return PLACEHOLDERS.has(config) ? [{ path, value: config }] : [];
  if (Array.isArray(config)) return config.flatMap((v, i) => unreplacedPlaceholders(v, `${path}[${i}]`));
  if (config && typeof config === "object") {
    return Object.entries(config).flatMap(([k, v]) => unreplacedPlaceholders(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** The marked example value at `path` in `config` (e.g. "account"), if it is still there. */
export function unreplacedAt(config: unknown, path: string): Unreplaced | undefined {
  return unreplacedPlaceholders(config).find((u) => u.path === path);
}

/** The lines that name them (for the synth warning and the deploy refusal). */
export function describeUnreplaced(env: string, list: readonly Unreplaced[]): string {
  return [
    `${env}: ${list.length} example value(s) in config/environments.ts must be replaced before a deploy:`,
    ...list.map((u) => `  - ${u.path} = ${JSON.stringify(u.value)}`),
    "  Put your own value there (without placeholder(...)).",
  ].join("\n");
}
