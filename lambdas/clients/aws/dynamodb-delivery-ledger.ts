import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ClaimResult, DeliveryLedger } from '../../core/ports';

export interface DynamoDbDeliveryLedgerProps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** How long a completed delivery id is remembered, in seconds. @default 7 days */
  readonly ttlSeconds?: number;
  /** How long a claim in progress blocks others before it may be taken over. @default 60 */
  readonly leaseSeconds?: number;
}

const epoch = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * The delivery ledger on DynamoDB. One item per delivery key (`pk` =
 * `delivery#<key>`, `sk` = `delivery`); the claim is a conditional put, so of
 * two concurrent requests exactly one wins. `expiresAt` is the table's TTL
 * attribute. A claim whose lease has lapsed (its Lambda died mid-way) may be
 * taken over, so a crash never turns a redelivery into a false duplicate.
 */
export class DynamoDbDeliveryLedger implements DeliveryLedger {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly leaseSeconds: number;

  constructor(props: DynamoDbDeliveryLedgerProps) {
    this.client = props.client;
    this.tableName = props.tableName;
    this.ttlSeconds = props.ttlSeconds ?? 7 * 24 * 3600;
    this.leaseSeconds = props.leaseSeconds ?? 60;
  }

  async claim(key: string, now: Date): Promise<ClaimResult> {
    const nowSeconds = epoch(now);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...this.keyOf(key),
            status: { S: 'in-progress' },
            leaseUntil: { N: String(nowSeconds + this.leaseSeconds) },
            expiresAt: { N: String(nowSeconds + this.ttlSeconds) },
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR (#status = :inProgress AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) }, ':inProgress': { S: 'in-progress' } },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.keyOf(key), ConsistentRead: true }));
    return existing.Item?.status?.S === 'done' ? 'duplicate' : 'in-progress';
  }

  async complete(key: string, now: Date): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.keyOf(key),
        UpdateExpression: 'SET #status = :done, expiresAt = :expiresAt REMOVE leaseUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':done': { S: 'done' },
          ':expiresAt': { N: String(epoch(now) + this.ttlSeconds) },
        },
      }),
    );
  }

  async release(key: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': { S: 'in-progress' } },
        }),
      );
    } catch (error) {
      // Already completed or gone: nothing to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private keyOf(key: string) {
    return { pk: { S: `delivery#${key}` }, sk: { S: 'delivery' } };
  }
}
