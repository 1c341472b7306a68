import { BatchGetItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SecretSyncState, SecretSyncStateStore } from '../../core/ports';

/** DynamoDB's BatchGetItem limit. */
const BATCH_GET_LIMIT = 100;
const PREFIX = 'secret#';

type KeysAndAttributes = Record<string, { Keys: Array<Record<string, { S: string }>>; ConsistentRead: boolean }>;

/**
 * What the secrets sync last wrote per Vault path, in the state table:
 * `pk` = `secret#<vaultKey>`, `sk` = `state`, beside the promoter's
 * `target#` items. It holds versions and ARNs, never a value.
 */
export class DynamoDbSecretSyncState implements SecretSyncStateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(vaultKeys: readonly string[]): Promise<Map<string, SecretSyncState>> {
    const found = new Map<string, SecretSyncState>();
    const unique = [...new Set(vaultKeys)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let request: KeysAndAttributes | undefined = {
        [this.tableName]: {
          Keys: unique.slice(i, i + BATCH_GET_LIMIT).map((key) => ({ pk: { S: `${PREFIX}${key}` }, sk: { S: 'state' } })),
          ConsistentRead: true,
        },
      };
      while (request !== undefined && Object.keys(request).length > 0) {
        const response = await this.client.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const key = item.pk?.S?.slice(PREFIX.length);
          const vaultVersion = Number(item.vaultVersion?.N);
          const secretArn = item.secretArn?.S;
          const sourceVersionId = item.sourceVersionId?.S;
          const syncedAt = item.syncedAt?.S;
          // An item this store did not write is not a state; the sync then treats the path as never written by Hoist.
          if (key === undefined || !Number.isInteger(vaultVersion) || secretArn === undefined || sourceVersionId === undefined || syncedAt === undefined)
            continue;
          found.set(key, { vaultVersion, secretArn, sourceVersionId, syncedAt });
        }
        request = response.UnprocessedKeys as KeysAndAttributes | undefined;
      }
    }
    return found;
  }

  async put(vaultKey: string, state: SecretSyncState): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: `${PREFIX}${vaultKey}` },
          sk: { S: 'state' },
          vaultVersion: { N: String(state.vaultVersion) },
          secretArn: { S: state.secretArn },
          sourceVersionId: { S: state.sourceVersionId },
          syncedAt: { S: state.syncedAt },
        },
      }),
    );
  }
}
