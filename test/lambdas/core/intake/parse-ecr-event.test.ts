import { describe, expect, it } from 'vitest';
import { ecrRegistryHost, parseEcrEvent } from '../../../../lambdas/core/intake/parse-ecr-event';
import { fixture } from '../../../support/webhook-examples';

describe('intake: ECR Image Action events (AWS docs example)', () => {
  it('turns a successful push into image.published on the account registry', () => {
    expect(parseEcrEvent(fixture('ecr/push.json'))).toEqual({
      eventId: '13cde686-328b-6117-af20-0e5566167482',
      outcome: {
        kind: 'events',
        events: [
          {
            type: 'image.published',
            registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
            repository: 'team/api',
            tag: '1.4.3',
            digest: 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678',
            pushedAt: '2026-11-16T01:54:34.000Z',
            reportedBy: { host: 'ecr', event: 'ECR Image Action' },
          },
        ],
      },
    });
  });

  it('accepts a push by digest only', () => {
    const event = fixture('ecr/push.json');
    delete event.detail['image-tag'];
    const { outcome } = parseEcrEvent(event);
    expect(outcome.kind === 'events' && outcome.events[0]).not.toHaveProperty('tag');
  });

  it('ignores deletes and failed pushes with a reason', () => {
    const deleted = fixture('ecr/push.json');
    deleted.detail['action-type'] = 'DELETE';
    expect(parseEcrEvent(deleted).outcome).toEqual({ kind: 'ignored', reason: "ECR action 'DELETE' is not a push" });
    const failed = fixture('ecr/push.json');
    failed.detail.result = 'FAILURE';
    expect(parseEcrEvent(failed).outcome).toEqual({ kind: 'ignored', reason: "ECR push result is 'FAILURE', not SUCCESS" });
  });

  it('rejects an event of another shape, naming the path', () => {
    const event = fixture('ecr/push.json');
    event.account = 'abc';
    expect(() => parseEcrEvent(event)).toThrowError(/ECR event: account: expected a 12-digit AWS account id/);
  });

  it('knows the China partition suffix', () => {
    expect(ecrRegistryHost('123456789012', 'cn-north-1')).toBe('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn');
  });
});
