import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PromotionOutcomeSchema } from '../../core/intake/promotion-outcome-schema';
import type { PromotionOutcome, PromotionOutcomeStore } from '../../core/ports';

export interface DynamoDbPromotionOutcomeStoreProps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** How long an outcome is kept after its last update, in seconds. @default 7 days */
  readonly ttlSeconds?: number;
  /** The clock that decides expiry on read. @default the current time */
  readonly now?: () => Date;
}

/**
 * Promotion outcomes in the state table: `pk` = `promotion#<id>`, `sk` =
 * `outcome`, the outcome as JSON in `outcome`, its `status` beside it, and
 * `expiresAt` (the TTL attribute) `ttlSeconds` after `updatedAt`. DynamoDB
 * deletes expired items only eventually, so a read checks expiry itself.
 */
export class DynamoDbPromotionOutcomeStore implements PromotionOutcomeStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly now: () => Date;

  constructor(props: DynamoDbPromotionOutcomeStoreProps) {
    this.client = props.client;
    this.tableName = props.tableName;
    this.ttlSeconds = props.ttlSeconds ?? 7 * 24 * 3600;
    this.now = props.now ?? (() => new Date());
  }

  async put(outcome: PromotionOutcome): Promise<void> {
    const updatedAt = Math.floor(Date.parse(outcome.updatedAt) / 1000);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...this.keyOf(outcome.id),
          status: { S: outcome.status },
          outcome: { S: JSON.stringify(outcome) },
          expiresAt: { N: String(updatedAt + this.ttlSeconds) },
        },
      }),
    );
  }

  async get(id: string): Promise<PromotionOutcome | undefined> {
    const response = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.keyOf(id), ConsistentRead: true }));
    const item = response.Item;
    if (item === undefined) return undefined;
    if (Number(item.expiresAt?.N ?? 0) < Math.floor(this.now().getTime() / 1000)) return undefined;
    return PromotionOutcomeSchema.parse(JSON.parse(item.outcome?.S ?? 'null'));
  }

  private keyOf(id: string) {
    return { pk: { S: `promotion#${id}` }, sk: { S: 'outcome' } };
  }
}
