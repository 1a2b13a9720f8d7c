/** The longest value a reference to these attributes resolves to in any partition and region. */
const ATTRIBUTE_BOUNDS: Readonly<Record<string, number>> = {
  partition: "aws-us-gov".length,
  account_id: 12,
  dns_suffix: "amazonaws.com.cn".length,
  region: "ap-southeast-5".length,
};
/** Any other reference (an ARN, a name) is counted at this length: far above what this pipeline's names make. */
export const REFERENCE_BOUND = 256;

/**
 * The most `text` can measure once Terraform has resolved it: `measure` counts the text around the `${…}`
 * references, and each reference counts as the longest value it can resolve to (REFERENCE_BOUND when nothing bounds it).
 */
function resolvedSizeBound(text: string, measure: (plain: string) => number): number {
  let size = 0;
  const plain = text.replace(/\$\{([^{}]*)\}/g, (_match, expression: string) => {
    const attribute = /\.([a-z_]+)$/.exec(expression.trim())?.[1] ?? "";
    size += ATTRIBUTE_BOUNDS[attribute] ?? REFERENCE_BOUND;
    return "";
  });
  return size + measure(plain);
}

/** The most characters IAM can count for a policy document once resolved: IAM does not count white space. */
export function policySizeBound(document: string): number {
  return resolvedSizeBound(document, (plain) => plain.replace(/\s/g, "").length);
}

/** The most bytes Lambda can count for a function's environment variables once resolved: it measures their JSON. */
export function environmentSizeBound(variables: Readonly<Record<string, unknown>>): number {
  return resolvedSizeBound(JSON.stringify(variables), (plain) => Buffer.byteLength(plain));
}
