import { type DynamoDBClient, paginateQuery } from '@aws-sdk/client-dynamodb';

/**
 * Reads the audit records `DynamoDbAuditLog` wrote in the state table, newest
 * day first: one Query per day partition (`pk` = `audit#<yyyy-mm-dd>`) over
 * the last `days` days. Each record comes back as the JSON it was written as.
 */
export async function readAuditTrail(client: DynamoDBClient, tableName: string, now: Date, days: number): Promise<unknown[]> {
  const records: unknown[] = [];
  for (let back = 0; back < days; back += 1) {
    const day = new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10);
    const pages = paginateQuery(
      { client },
      { TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `audit#${day}` } }, ScanIndexForward: false },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const text = item.record?.S;
        if (text === undefined) continue;
        try {
          records.push(JSON.parse(text) as unknown);
        } catch {
          // A record that is not JSON is not Hoist's; it is skipped.
        }
      }
    }
  }
  return records;
}
