import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeliveryLedger } from '../../../../lambdas/clients/aws/dynamodb-delivery-ledger';
import { type LocalDynamo, startLocalDynamo } from '../../../support/dynalite';

describe('DynamoDbDeliveryLedger (real AWS SDK against dynalite)', () => {
  let dynamo: LocalDynamo;
  let ledger: DynamoDbDeliveryLedger;
  const t0 = new Date('2026-11-23T08:00:00Z');
  const later = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    ledger = new DynamoDbDeliveryLedger({ client: dynamo.client, tableName: dynamo.tableName, ttlSeconds: 3600, leaseSeconds: 60 });
  });
  afterAll(async () => dynamo.close());

  it('claims a new key once; a completed key is a duplicate', async () => {
    expect(await ledger.claim('github:a', t0)).toBe('claimed');
    expect(await ledger.claim('github:a', later(1))).toBe('in-progress');
    await ledger.complete('github:a', later(2));
    expect(await ledger.claim('github:a', later(3))).toBe('duplicate');
  });

  it('stores the TTL attribute as epoch seconds', async () => {
    await ledger.claim('github:ttl', t0);
    await ledger.complete('github:ttl', t0);
    const item = await dynamo.client.send(
      new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: 'delivery#github:ttl' }, sk: { S: 'delivery' } } }),
    );
    expect(item.Item?.expiresAt?.N).toBe(String(t0.getTime() / 1000 + 3600));
    expect(item.Item?.status?.S).toBe('done');
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => ledger.claim('github:race', t0)));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'in-progress')).toHaveLength(19);
  });

  it('gives a released claim back, so a retry is accepted', async () => {
    expect(await ledger.claim('gitlab:b', t0)).toBe('claimed');
    await ledger.release('gitlab:b');
    expect(await ledger.claim('gitlab:b', later(1))).toBe('claimed');
  });

  it('does not release a completed delivery', async () => {
    await ledger.claim('gitlab:c', t0);
    await ledger.complete('gitlab:c', t0);
    await ledger.release('gitlab:c');
    expect(await ledger.claim('gitlab:c', later(1))).toBe('duplicate');
  });

  it('takes over a claim whose lease lapsed (its function died mid-way)', async () => {
    expect(await ledger.claim('gitea:d', t0)).toBe('claimed');
    expect(await ledger.claim('gitea:d', later(30))).toBe('in-progress');
    expect(await ledger.claim('gitea:d', later(61))).toBe('claimed');
  });

  it('forgets a delivery after its TTL even before DynamoDB deletes the item', async () => {
    await ledger.claim('gitea:e', t0);
    await ledger.complete('gitea:e', t0);
    expect(await ledger.claim('gitea:e', later(3601))).toBe('claimed');
  });
});
