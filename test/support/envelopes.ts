import type { EventEnvelope } from '../../lambdas/core/events';

/** A schema-valid queue envelope of an ECR image push, numbered `n`. */
export function imageEnvelope(n: number, repository = 'team/api', registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'): EventEnvelope {
  return {
    id: `ecr:evt-${n}#0`,
    host: 'ecr',
    deliveryId: `evt-${n}`,
    receivedAt: '2026-11-23T08:00:00.000Z',
    event: {
      type: 'image.published',
      registry,
      repository,
      tag: `1.0.${n}`,
      pushedAt: '2026-11-23T08:00:00.000Z',
      reportedBy: { host: 'ecr', event: 'ECR Image Action' },
    },
  };
}
