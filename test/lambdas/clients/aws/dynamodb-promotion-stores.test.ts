import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAuditLog, DynamoDbTargetStateStore } from '../../../../lambdas/clients/aws/dynamodb-promotion-stores';
import { type LocalDynamo, startLocalDynamo } from '../../../support/dynalite';

describe('promotion state and audit on DynamoDB (real AWS SDK against dynalite)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(async () => dynamo.close());

  it('stores and reads back target states, many keys at once', async () => {
    const store = new DynamoDbTargetStateStore(dynamo.client, dynamo.tableName);
    const keys = Array.from({ length: 130 }, (_, i) => `gitops:apps/s${i}/values.yaml:dev:ghcr.io/o/s${i}`);
    for (const [i, key] of keys.entries())
      await store.put(key, i % 2 === 0 ? { lastWrittenTag: `1.0.${i}` } : { lastWrittenTag: `1.0.${i}`, heldAbove: `1.0.${i}` });
    const found = await store.get([...keys, 'gitops:missing']);
    expect(found.size).toBe(130);
    expect(found.get(keys[0] as string)).toEqual({ lastWrittenTag: '1.0.0' });
    expect(found.get(keys[129] as string)).toEqual({ lastWrittenTag: '1.0.129', heldAbove: '1.0.129' });
    await store.put(keys[1] as string, { lastWrittenTag: '2.0.0' });
    expect((await store.get([keys[1] as string])).get(keys[1] as string)).toEqual({ lastWrittenTag: '2.0.0' });
  });

  it('writes one audit record per entry, by day, with a TTL', async () => {
    const audit = new DynamoDbAuditLog(dynamo.client, dynamo.tableName, 30);
    await audit.record({
      id: 'gitops:main:abc123',
      at: '2026-11-23T08:00:00.000Z',
      outcome: 'promoted',
      repository: 'gitops',
      branch: 'main',
      commit: 'abc123',
      promotions: [{ service: 'api', environment: 'dev', fromTag: '1.4.2', toTag: '1.4.3' }],
      events: ['ecr:e1#0'],
      durationMs: 42,
    });
    const items = await dynamo.client.send(
      new QueryCommand({ TableName: dynamo.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'audit#2026-11-23' } } }),
    );
    expect(items.Items).toHaveLength(1);
    const [item] = items.Items ?? [];
    expect(item?.sk?.S).toBe('2026-11-23T08:00:00.000Z#gitops:main:abc123');
    expect(item?.expiresAt?.N).toBe(String(Date.parse('2026-11-23T08:00:00Z') / 1000 + 30 * 86400));
    expect(JSON.parse(item?.record?.S ?? '{}')).toMatchObject({ outcome: 'promoted', commit: 'abc123', promotions: [{ toTag: '1.4.3' }] });
  });
});
