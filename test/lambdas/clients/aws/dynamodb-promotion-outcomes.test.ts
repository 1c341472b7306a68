import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPromotionOutcomeStore } from '../../../../lambdas/clients/aws/dynamodb-promotion-outcomes';
import type { PromotionOutcome } from '../../../../lambdas/core/ports';
import { type LocalDynamo, startLocalDynamo } from '../../../support/dynalite';

const queued: PromotionOutcome = { id: 'pipeline-1234', status: 'queued', updatedAt: '2026-11-23T08:00:00.000Z', changes: [], reasons: [] };

describe('promotion outcomes on DynamoDB (real AWS SDK against dynalite)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(async () => dynamo.close());

  it('stores an outcome under promotion#<id> / outcome with a TTL 7 days after its update, and reads it back', async () => {
    const store = new DynamoDbPromotionOutcomeStore({ client: dynamo.client, tableName: dynamo.tableName, now: () => new Date('2026-11-24T00:00:00Z') });
    await store.put(queued);
    const raw = await dynamo.client.send(
      new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: 'promotion#pipeline-1234' }, sk: { S: 'outcome' } } }),
    );
    expect(raw.Item?.status?.S).toBe('queued');
    expect(raw.Item?.expiresAt?.N).toBe(String(Date.parse('2026-11-23T08:00:00Z') / 1000 + 7 * 86400));
    expect(await store.get('pipeline-1234')).toEqual(queued);
  });

  it('replaces an outcome when it is updated, and answers undefined for an unknown id', async () => {
    const store = new DynamoDbPromotionOutcomeStore({ client: dynamo.client, tableName: dynamo.tableName, now: () => new Date('2026-11-24T00:00:00Z') });
    const promoted: PromotionOutcome = {
      ...queued,
      id: 'p-2',
      status: 'promoted',
      changes: [{ repository: 'gitops', branch: 'main', commit: 'abc1234', url: 'https://git.example/c/abc1234' }],
    };
    await store.put({ ...queued, id: 'p-2' });
    await store.put(promoted);
    expect(await store.get('p-2')).toEqual(promoted);
    expect(await store.get('unknown')).toBeUndefined();
  });

  it('answers undefined for an outcome past its TTL that DynamoDB has not deleted yet', async () => {
    const later = new DynamoDbPromotionOutcomeStore({ client: dynamo.client, tableName: dynamo.tableName, now: () => new Date('2026-12-01T00:00:00Z') });
    await later.put({ ...queued, id: 'old' });
    expect(await later.get('old')).toBeUndefined();
  });

  it('refuses an item that is not an outcome rather than answer it', async () => {
    const store = new DynamoDbPromotionOutcomeStore({ client: dynamo.client, tableName: dynamo.tableName, now: () => new Date('2026-11-24T00:00:00Z') });
    await dynamo.client.send(
      new PutItemCommand({
        TableName: dynamo.tableName,
        Item: { pk: { S: 'promotion#odd' }, sk: { S: 'outcome' }, outcome: { S: '{"id":"odd"}' }, expiresAt: { N: '9999999999' } },
      }),
    );
    await expect(store.get('odd')).rejects.toThrow();
  });
});
