/**
 * S3 sequencers are hex strings of varying length: right-pad with zeros, then compare lexicographically (AWS's
 * rule). Storing the padded, upper-cased form lets DynamoDB's string comparison do the ordering.
 */
const SEQUENCER_WIDTH = 64;

export function sortableSequencer(sequencer: string): string {
  const hex = sequencer.trim().toUpperCase();
  if (!/^[0-9A-F]{1,64}$/.test(hex)) throw new Error(`invalid sequencer "${sequencer}"`);
  return hex.padEnd(SEQUENCER_WIDTH, "0");
}
