import fc from "fast-check";

const SURROGATES = { first: 0xd800, count: 0x800 };

/**
 * One code point of the whole range but the surrogates: what fast-check's `unit: "binary"` draws, from the same
 * integer index. Pitfall: "binary" builds a map of all 1,112,064 code points on first use in every suite that uses it
 * (~0.8 s of CPU each); this unit unmaps a value by reading it back.
 */
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff - SURROGATES.count }).map(
  (index) => String.fromCodePoint(index < SURROGATES.first ? index : index + SURROGATES.count),
  (value) => {
    const codePoint = typeof value === "string" ? value.codePointAt(0) : undefined;
    const surrogate = codePoint !== undefined && codePoint >= SURROGATES.first && codePoint < SURROGATES.first + SURROGATES.count;
    if (codePoint === undefined || surrogate || String.fromCodePoint(codePoint) !== value) throw new Error("not a single code point");
    return codePoint < SURROGATES.first ? codePoint : codePoint - SURROGATES.count;
  },
);

/** Strings of any code points (fast-check's `fc.string({ unit: "binary", ...constraints })`). */
export function binaryString(constraints: Omit<fc.StringConstraints, "unit"> = {}): fc.Arbitrary<string> {
  return fc.string({ ...constraints, unit: anyCodePoint });
}
