import { describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../../../lambdas/clients/local/in-process-queue';
import { imageEnvelope } from '../../../support/envelopes';

describe('InProcessQueue: onDequeue', () => {
  it('reports each envelope once as it is taken off, however many attempts it needs', async () => {
    const dequeued: string[] = [];
    let failures = 2;
    const queue = new InProcessQueue(
      async () => {
        if (failures-- > 0) throw new Error('branch moved');
      },
      { onDequeue: (e) => dequeued.push(e.id), backoffMs: () => 0 },
    );
    await queue.enqueue([imageEnvelope(1), imageEnvelope(2, 'team/web')]);
    await queue.drain();
    expect(dequeued).toEqual(['ecr:evt-1#0', 'ecr:evt-2#0']);
    expect(queue.deadLetters).toEqual([]);
  });
});
