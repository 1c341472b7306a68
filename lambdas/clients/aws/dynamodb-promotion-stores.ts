import { BatchGetItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AuditLog, AuditRecord, TargetStateStore } from '../../core/ports';
import type { TargetState } from '../../core/promotion/plan-promotions';

/** DynamoDB's BatchGetItem limit. */
const BATCH_GET_LIMIT = 100;

/** Target states in the state table: `pk` = `target#<key>`, `sk` = `state`. */
export class DynamoDbTargetStateStore implements TargetStateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(keys: readonly string[]): Promise<Map<string, TargetState>> {
    const found = new Map<string, TargetState>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let request: Record<string, { Keys: Array<Record<string, { S: string }>>; ConsistentRead: boolean }> | undefined = {
        [this.tableName]: { Keys: unique.slice(i, i + BATCH_GET_LIMIT).map((k) => ({ pk: { S: `target#${k}` }, sk: { S: 'state' } })), ConsistentRead: true },
      };
      while (request !== undefined && Object.keys(request).length > 0) {
        const response = await this.client.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const key = item.pk?.S?.slice('target#'.length);
          if (key === undefined) continue;
          found.set(key, {
            ...(item.lastWrittenTag?.S ? { lastWrittenTag: item.lastWrittenTag.S } : {}),
            ...(item.heldAbove?.S ? { heldAbove: item.heldAbove.S } : {}),
            // A person's hold and a waiting gate are kept as JSON text.
            ...(item.hold?.S ? { hold: JSON.parse(item.hold.S) as TargetState['hold'] } : {}),
            ...(item.gate?.S ? { gate: JSON.parse(item.gate.S) as TargetState['gate'] } : {}),
            ...(item.approvalMessage?.S ? { approvalMessage: JSON.parse(item.approvalMessage.S) as TargetState['approvalMessage'] } : {}),
            ...(item.proposal?.S ? { proposal: JSON.parse(item.proposal.S) as TargetState['proposal'] } : {}),
          });
        }
        request = response.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  async put(key: string, state: TargetState): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: `target#${key}` },
          sk: { S: 'state' },
          ...(state.lastWrittenTag ? { lastWrittenTag: { S: state.lastWrittenTag } } : {}),
          ...(state.heldAbove ? { heldAbove: { S: state.heldAbove } } : {}),
          ...(state.hold ? { hold: { S: JSON.stringify(state.hold) } } : {}),
          ...(state.gate ? { gate: { S: JSON.stringify(state.gate) } } : {}),
          ...(state.approvalMessage ? { approvalMessage: { S: JSON.stringify(state.approvalMessage) } } : {}),
          ...(state.proposal ? { proposal: { S: JSON.stringify(state.proposal) } } : {}),
        },
      }),
    );
  }
}

/**
 * Audit records in the state table: `pk` = `audit#<yyyy-mm-dd>`, `sk` =
 * `<time>#<id>`, kept for `retentionDays` through the TTL attribute.
 */
export class DynamoDbAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays = 400,
  ) {}

  async record(entry: AuditRecord): Promise<void> {
    const at = new Date(entry.at);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: `audit#${entry.at.slice(0, 10)}` },
          sk: { S: `${entry.at}#${entry.id}` },
          outcome: { S: entry.outcome },
          record: { S: JSON.stringify(entry) },
          expiresAt: { N: String(Math.floor(at.getTime() / 1000) + this.retentionDays * 86400) },
        },
      }),
    );
  }
}
