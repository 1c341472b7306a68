import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSecretSyncState } from '../../../../lambdas/clients/aws/dynamodb-secret-sync-state';
import type { SecretSyncState } from '../../../../lambdas/core/ports';
import { type LocalDynamo, startLocalDynamo } from '../../../support/dynalite';

const state = (i: number): SecretSyncState => ({
  vaultVersion: i + 1,
  secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:hoist/apps/s${i}/dev-AbC123`,
  sourceVersionId: `v-${i}`,
  syncedAt: '2026-11-23T09:05:13.000Z',
});

describe('secrets sync state on DynamoDB (real AWS SDK against dynalite)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(async () => dynamo.close());

  it('stores and reads back states of many Vault paths at once, keyed secret#<vaultKey>', async () => {
    const store = new DynamoDbSecretSyncState(dynamo.client, dynamo.tableName);
    const keys = Array.from({ length: 130 }, (_, i) => `secret/apps/s${i}/dev/config`);
    for (const [i, key] of keys.entries()) await store.put(key, state(i));
    const found = await store.get([...keys, keys[0] as string, 'secret/apps/missing/dev/config']);
    expect(found.size).toBe(130);
    expect(found.get(keys[129] as string)).toEqual(state(129));

    await store.put(keys[1] as string, { ...state(1), vaultVersion: 7, sourceVersionId: 'v-new' });
    expect((await store.get([keys[1] as string])).get(keys[1] as string)).toEqual({ ...state(1), vaultVersion: 7, sourceVersionId: 'v-new' });

    const item = await dynamo.client.send(new GetItemCommand({ TableName: dynamo.tableName, Key: { pk: { S: `secret#${keys[0]}` }, sk: { S: 'state' } } }));
    expect(item.Item?.vaultVersion).toEqual({ N: '1' });
  });

  it('does not take an item of another shape under its key for a state', async () => {
    await dynamo.client.send(
      new PutItemCommand({ TableName: dynamo.tableName, Item: { pk: { S: 'secret#secret/apps/odd/dev/config' }, sk: { S: 'state' }, note: { S: 'x' } } }),
    );
    const store = new DynamoDbSecretSyncState(dynamo.client, dynamo.tableName);
    expect((await store.get(['secret/apps/odd/dev/config'])).size).toBe(0);
  });
});
