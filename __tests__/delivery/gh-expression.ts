/**
 * Evaluates the subset of GitHub Actions expressions the workflows use (`${{ ... }}` or a bare `if:`): context paths
 * (`matrix.env`, `needs.check.outputs.plan-targets`), 'strings', `!`, `&&`, `||` (both return an operand, '' is
 * falsy, as in JavaScript), `==` / `!=`, parentheses and `contains(text, part)`. So a test runs the workflow's own
 * expression text against made-up contexts instead of restating its logic.
 */
export function evaluateExpression(expression: string, context: Record<string, unknown>): unknown {
  const body = /^\$\{\{([^]*)\}\}$/.exec(expression.trim())?.[1] ?? expression;
  const lookup = (p: string): unknown => p.split(".").reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key] ?? "", context);
  const contains = (text: unknown, part: unknown) => String(text).toLowerCase().includes(String(part).toLowerCase());
  // Strings are kept whole (GitHub escapes a quote by doubling it); paths outside them become lookups.
  const js = body.replace(/'((?:[^']|'')*)'|([A-Za-z_][\w-]*(?:\.[\w-]+)*)(\s*\()?|(==|!=)/g, (_match, str: string | undefined, path: string | undefined, call: string | undefined, op: string | undefined) => {
    if (str !== undefined) return JSON.stringify(str.replaceAll("''", "'"));
    if (op) return `${op}=`;
    if (path && call) {
      if (path !== "contains") throw new Error(`unsupported function ${path}()`);
      return "contains(";
    }
    if (path === "true" || path === "false") return path;
    return `lookup(${JSON.stringify(path)})`;
  });
  return new Function("lookup", "contains", `return (${js});`)(lookup, contains);
}
