import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbTagHistory } from '../../../../lambdas/clients/aws/dynamodb-tag-history';
import { type LocalDynamo, startLocalDynamo } from '../../../support/dynalite';

describe('tag history on DynamoDB (real AWS SDK against dynalite)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(async () => dynamo.close());

  it('keeps the first push time of each tag and reads many back at once', async () => {
    const history = new DynamoDbTagHistory(dynamo.client, dynamo.tableName);
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc';
    const tags = Array.from({ length: 120 }, (_, i) => ({
      image,
      tag: `sha-${String(i).padStart(7, '0')}`,
      pushedAt: `2026-11-23T08:${String(i % 60).padStart(2, '0')}:00Z`,
    }));
    await history.record(tags);
    // A late or redelivered event with another time does not move a tag's age.
    await history.record([{ image, tag: 'sha-0000000', pushedAt: '2026-11-24T00:00:00Z' }]);
    const found = await history.pushTimes([...tags, { image, tag: 'sha-unknown' }]);
    expect(found.size).toBe(120);
    expect(found.get(`${image}\u0000sha-0000000`)).toBe('2026-11-23T08:00:00Z');
    expect(found.get(`${image}\u0000sha-0000119`)).toBe('2026-11-23T08:59:00Z');
  });
});
