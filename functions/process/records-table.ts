import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { HASH_KEY, SEQUENCER_SORT, toItem, type FileRecord } from "../lib/file-record";

/** The stored ordering value for a key, if any (strongly consistent: a just-written record must be seen). */
export async function storedSequencer(db: DynamoDBClient, table: string, key: string): Promise<string | undefined> {
  const out = await db.send(
    new GetItemCommand({
      TableName: table,
      Key: { [HASH_KEY]: { S: key } },
      ProjectionExpression: "#s",
      ExpressionAttributeNames: { "#s": SEQUENCER_SORT },
      ConsistentRead: true,
    }),
  );
  return out.Item?.[SEQUENCER_SORT]?.S;
}

/**
 * Writes the record only if no newer event for the key was recorded: the conditional write is what makes
 * duplicates and out-of-order deliveries harmless, even between concurrent invocations.
 * Returns false when a newer (or the same) event had already been recorded.
 */
export async function putIfNewer(db: DynamoDBClient, table: string, record: FileRecord, sequencerSort: string): Promise<boolean> {
  try {
    await db.send(
      new PutItemCommand({
        TableName: table,
        Item: toItem(record, sequencerSort),
        ConditionExpression: "attribute_not_exists(#k) OR #s < :s",
        ExpressionAttributeNames: { "#k": HASH_KEY, "#s": SEQUENCER_SORT },
        ExpressionAttributeValues: { ":s": { S: sequencerSort } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === "ConditionalCheckFailedException") {
      return false;
    }
    throw error;
  }
}
