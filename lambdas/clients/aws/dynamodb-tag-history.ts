import { BatchGetItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { TagHistory } from '../../core/ports';
import { tagKey } from '../../core/promotion/read-workspace';

/** DynamoDB's BatchGetItem limit. */
const BATCH_GET_LIMIT = 100;

/**
 * Push times of image tags in the state table: `pk` = `tag#<image>`, `sk` =
 * `<tag>`, kept for `retentionDays` through the TTL attribute. The first push
 * time recorded for a tag is kept (a conditional put), so a redelivered or
 * late event cannot move a tag's age.
 */
export class DynamoDbTagHistory implements TagHistory {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays = 400,
  ) {}

  async pushTimes(tags: ReadonlyArray<{ image: string; tag: string }>): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unique = [...new Map(tags.map((t) => [tagKey(t.image, t.tag), t])).values()];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let request: Record<string, { Keys: Array<Record<string, { S: string }>>; ConsistentRead: boolean }> | undefined = {
        [this.tableName]: {
          Keys: unique.slice(i, i + BATCH_GET_LIMIT).map((t) => ({ pk: { S: `tag#${t.image}` }, sk: { S: t.tag } })),
          ConsistentRead: true,
        },
      };
      while (request !== undefined && Object.keys(request).length > 0) {
        const response = await this.client.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const image = item.pk?.S?.slice('tag#'.length);
          const tag = item.sk?.S;
          const pushedAt = item.pushedAt?.S;
          if (image !== undefined && tag !== undefined && pushedAt !== undefined) found.set(tagKey(image, tag), pushedAt);
        }
        request = response.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  async record(entries: ReadonlyArray<{ image: string; tag: string; pushedAt: string }>): Promise<void> {
    for (const entry of entries) {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: { S: `tag#${entry.image}` },
              sk: { S: entry.tag },
              pushedAt: { S: entry.pushedAt },
              expiresAt: { N: String(Math.floor(Date.parse(entry.pushedAt) / 1000) + this.retentionDays * 86400) },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
  }
}
