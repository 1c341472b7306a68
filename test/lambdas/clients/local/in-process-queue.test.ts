import { describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../../../lambdas/clients/local/in-process-queue';
import type { EventEnvelope } from '../../../../lambdas/core/events';
import { RetryLaterError, TerminalError } from '../../../../lambdas/shared/errors';
import { imageEnvelope } from '../../../support/envelopes';

/** A promise with its resolve, to hold a consumer until the test lets it go. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('InProcessQueue: order', () => {
  it('delivers the envelopes of one ordering key one after another, in the order queued, across enqueue calls', async () => {
    const seen: string[] = [];
    const first = deferred();
    const queue = new InProcessQueue(async (e) => {
      seen.push(`start ${e.id}`);
      if (e.id === 'ecr:evt-1#0') await first.promise;
      seen.push(`end ${e.id}`);
    });
    await queue.enqueue([imageEnvelope(1), imageEnvelope(2)]);
    // Queued while the key's first envelope is still being consumed: it waits its turn.
    await queue.enqueue([imageEnvelope(3)]);
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual(['start ecr:evt-1#0']);
    first.resolve();
    await queue.drain();
    expect(seen).toEqual(['start ecr:evt-1#0', 'end ecr:evt-1#0', 'start ecr:evt-2#0', 'end ecr:evt-2#0', 'start ecr:evt-3#0', 'end ecr:evt-3#0']);
  });

  it('runs different ordering keys side by side: a held key does not hold another', async () => {
    const held = deferred();
    const done: string[] = [];
    const queue = new InProcessQueue(async (e) => {
      if (e.event.type === 'image.published' && e.event.repository === 'team/api') await held.promise;
      done.push(e.id);
    });
    await queue.enqueue([imageEnvelope(1, 'team/api'), imageEnvelope(2, 'team/web'), imageEnvelope(3, 'team/web')]);
    expect(queue.pending).toBe(2);
    // team/web finishes while team/api is held.
    while (done.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual(['ecr:evt-2#0', 'ecr:evt-3#0']);
    expect(queue.pending).toBe(1);
    held.resolve();
    await queue.drain();
    expect(done).toEqual(['ecr:evt-2#0', 'ecr:evt-3#0', 'ecr:evt-1#0']);
    expect(queue.pending).toBe(0);
  });

  it('delivers nothing before enqueue has returned', async () => {
    const seen: string[] = [];
    const queue = new InProcessQueue(async (e) => {
      seen.push(e.id);
    });
    const queued = queue.enqueue([imageEnvelope(1)]);
    expect(seen).toEqual([]);
    await queued;
    await queue.drain();
    expect(seen).toEqual(['ecr:evt-1#0']);
  });

  it('takes a key up again once its lane has emptied', async () => {
    const seen: string[] = [];
    const queue = new InProcessQueue(async (e) => {
      seen.push(e.id);
    });
    await queue.enqueue([imageEnvelope(1)]);
    await queue.drain();
    expect(queue.pending).toBe(0);
    await queue.enqueue([imageEnvelope(2)]);
    await queue.drain();
    expect(seen).toEqual(['ecr:evt-1#0', 'ecr:evt-2#0']);
  });
});

describe('InProcessQueue: failures', () => {
  it('retries a failed envelope before the next of its key, and dead-letters it with the reason after maxAttempts', async () => {
    const attempts: string[] = [];
    const deadLettered: Array<[string, string]> = [];
    const queue = new InProcessQueue(
      async (e) => {
        attempts.push(e.id);
        if (e.id === 'ecr:evt-1#0') throw new Error('branch moved');
      },
      { maxAttempts: 3, backoffMs: () => 0, onDeadLetter: (e, error) => deadLettered.push([e.id, String(error)]) },
    );
    await queue.enqueue([imageEnvelope(1), imageEnvelope(2)]);
    await queue.drain();
    expect(attempts).toEqual(['ecr:evt-1#0', 'ecr:evt-1#0', 'ecr:evt-1#0', 'ecr:evt-2#0']);
    expect(queue.deadLetters).toEqual([{ envelope: imageEnvelope(1), error: 'branch moved' }]);
    expect(deadLettered).toEqual([['ecr:evt-1#0', 'Error: branch moved']]);
  });

  it('dead-letters a TerminalError at once, without a retry', async () => {
    let attempts = 0;
    const queue = new InProcessQueue(
      async () => {
        attempts += 1;
        throw new TerminalError('base branch gone');
      },
      { backoffMs: () => 0 },
    );
    await queue.enqueue([imageEnvelope(1)]);
    await queue.drain();
    expect(attempts).toBe(1);
    expect(queue.deadLetters.map((d) => d.error)).toEqual(['base branch gone']);
  });

  it('does not count "retry later" as a failed attempt', async () => {
    let calls = 0;
    const queue = new InProcessQueue(
      async () => {
        calls += 1;
        if (calls <= 3) throw new RetryLaterError('gate still soaking', 0);
      },
      { maxAttempts: 1, backoffMs: () => 0 },
    );
    await queue.enqueue([imageEnvelope(1)]);
    await queue.drain();
    expect(calls).toBe(4);
    expect(queue.deadLetters).toEqual([]);
  });

  it('dead-letters an envelope whose onDequeue hook throws, and still delivers the rest of its lane', async () => {
    const consumed: string[] = [];
    const queue = new InProcessQueue(
      async (e) => {
        consumed.push(e.id);
      },
      {
        onDequeue: (e) => {
          if (e.id === 'ecr:evt-1#0') throw new Error('log sink closed');
        },
      },
    );
    await queue.enqueue([imageEnvelope(1), imageEnvelope(2)]);
    await queue.drain();
    expect(consumed).toEqual(['ecr:evt-2#0']);
    expect(queue.deadLetters).toEqual([{ envelope: imageEnvelope(1), error: 'log sink closed' }]);
    expect(queue.pending).toBe(0);
  });

  it('keeps a dead letter whose onDeadLetter hook throws, and one whose consumer threw something other than an Error', async () => {
    const consumed: string[] = [];
    const queue = new InProcessQueue(
      async (e) => {
        if (e.id === 'ecr:evt-1#0') throw undefined;
        consumed.push(e.id);
      },
      {
        maxAttempts: 1,
        onDeadLetter: () => {
          throw new Error('alarm sink closed');
        },
      },
    );
    await queue.enqueue([imageEnvelope(1), imageEnvelope(2)]);
    await queue.drain();
    expect(queue.deadLetters).toEqual([{ envelope: imageEnvelope(1), error: 'undefined' }]);
    expect(consumed).toEqual(['ecr:evt-2#0']);
  });

  it('reports each envelope once as it is taken off, however many attempts it needs', async () => {
    const dequeued: string[] = [];
    let failures = 2;
    const queue = new InProcessQueue(
      async () => {
        if (failures-- > 0) throw new Error('branch moved');
      },
      { onDequeue: (e: EventEnvelope) => dequeued.push(e.id), backoffMs: () => 0 },
    );
    await queue.enqueue([imageEnvelope(1), imageEnvelope(2, 'team/web')]);
    await queue.drain();
    expect(dequeued).toEqual(['ecr:evt-1#0', 'ecr:evt-2#0']);
    expect(queue.deadLetters).toEqual([]);
  });
});
