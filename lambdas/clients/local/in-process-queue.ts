import type { EventEnvelope } from '../../core/events';
import { orderingKeyOf } from '../../core/ordering-key-of';
import type { EnvelopeConsumer, EventQueue } from '../../core/ports';
import { RetryLaterError, TerminalError } from '../../shared/errors';

export interface InProcessQueueOptions {
  /** Attempts per envelope before it is dead-lettered. @default 3 */
  readonly maxAttempts?: number;
  /** Called once per envelope when it is taken off the queue, before its first attempt. */
  readonly onDequeue?: (envelope: EventEnvelope) => void;
  /** Called when an envelope is given up on. */
  readonly onDeadLetter?: (envelope: EventEnvelope, error: unknown) => void;
  /** Delay before retry `attempt` (1-based), in ms. @default 100 · 2^(attempt-1) */
  readonly backoffMs?: (attempt: number) => number;
}

/**
 * The dev server's queue: FIFO per ordering key like the SQS FIFO queue, with
 * retries and an in-memory dead-letter list instead of a DLQ.
 */
export class InProcessQueue implements EventQueue {
  readonly deadLetters: Array<{ envelope: EventEnvelope; error: string }> = [];
  /** Envelopes waiting, per ordering key; a key is here while its worker runs. */
  private readonly lanes = new Map<string, EventEnvelope[]>();
  private readonly workers = new Set<Promise<void>>();
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;

  constructor(
    private readonly consume: EnvelopeConsumer,
    private readonly options: InProcessQueueOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.backoffMs = options.backoffMs ?? ((attempt) => 100 * 2 ** (attempt - 1));
  }

  async enqueue(envelopes: readonly EventEnvelope[]): Promise<void> {
    for (const envelope of envelopes) {
      const key = orderingKeyOf(envelope);
      const lane = this.lanes.get(key);
      if (lane !== undefined) {
        lane.push(envelope);
        continue;
      }
      const started = [envelope];
      this.lanes.set(key, started);
      const worker = this.work(key, started);
      this.workers.add(worker);
      void worker.finally(() => this.workers.delete(worker));
    }
  }

  /** How many ordering keys have envelopes queued or running now (0 once drained). */
  get pending(): number {
    return this.lanes.size;
  }

  /** Resolves once every envelope queued so far has been consumed or dead-lettered. */
  async drain(): Promise<void> {
    while (this.workers.size > 0) await Promise.all([...this.workers]);
  }

  /**
   * Delivers the envelopes of one ordering key one after another, oldest
   * first, until its lane is empty; then the key is forgotten. One worker per
   * key, whatever the number of envelopes. Whatever goes wrong with one
   * envelope (a hook that throws included) dead-letters that envelope with
   * the reason; the rest of the lane is still delivered.
   */
  private async work(key: string, lane: EventEnvelope[]): Promise<void> {
    // Nothing is delivered before enqueue has returned.
    await undefined;
    for (let envelope = lane.shift(); envelope !== undefined; envelope = lane.shift()) {
      try {
        await this.deliver(envelope);
      } catch (error) {
        this.deadLetter(envelope, error);
      }
    }
    this.lanes.delete(key);
  }

  private async deliver(envelope: EventEnvelope): Promise<void> {
    this.options.onDequeue?.(envelope);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.consume(envelope);
        return;
      } catch (error) {
        // "Not yet" is no failed attempt: the core decides when waiting is over.
        if (error instanceof RetryLaterError) {
          attempt -= 1;
          await new Promise((resolve) => setTimeout(resolve, error.retryAfterSeconds * 1000));
          continue;
        }
        // A TerminalError is final: no retry can help, so it is dead-lettered at once, like the promoter does.
        if (attempt >= this.maxAttempts || error instanceof TerminalError) {
          this.deadLetter(envelope, error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.backoffMs(attempt)));
      }
    }
  }

  /** Keeps the envelope with its reason; a failing `onDeadLetter` loses neither. */
  private deadLetter(envelope: EventEnvelope, error: unknown): void {
    this.deadLetters.push({ envelope, error: error instanceof Error ? error.message : String(error) });
    try {
      this.options.onDeadLetter?.(envelope, error);
    } catch {
      // The dead letter is already kept, and the lane must go on.
    }
  }
}
