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
 * The most characters IAM can count for `document` once Terraform has resolved it: white space is not counted, and
 * each `${…}` reference is counted at the longest value it can resolve to (REFERENCE_BOUND when nothing bounds it).
 */
export function policySizeBound(document: string): number {
  let size = 0;
  const plain = document.replace(/\$\{([^{}]*)\}/g, (_match, expression: string) => {
    const attribute = /\.([a-z_]+)$/.exec(expression.trim())?.[1] ?? "";
    size += ATTRIBUTE_BOUNDS[attribute] ?? REFERENCE_BOUND;
    return "";
  });
  return size + plain.replace(/\s/g, "").length;
}
