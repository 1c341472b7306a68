import type { DeadLetterSink, WarningLog } from '../core/ports';
import type { GateCheck, GateDecision } from '../core/promotion/gate-check';
import { createGroupedQueueHandler } from '../shared/create-grouped-queue-handler';
import { loadOnce } from '../shared/load-once';

export interface GatesHandlerDeps {
  /** Looks at one gate and acts on what it finds (runGateCheck, with config, Argo CD, the event and gates queues, audit, Slack). */
  readonly check: (check: GateCheck) => Promise<GateDecision>;
  /** The gates queue's dead-letter queue, where checks that no retry can help go at once, with the reason. */
  readonly deadLetters: DeadLetterSink;
  /** The gates queue's maxReceiveCount: the last failed attempt is dead-lettered with its reason. @default none: the redrive does it */
  readonly maxReceives?: number;
  readonly log: WarningLog & {
    info(message: string, ...extra: Array<Record<string, unknown>>): void;
    error(message: string, ...extra: Array<Record<string, unknown>>): void;
  };
}

/**
 * The gates function on the gates queue, a standard queue (FIFO queues take
 * no per-message delay), so records have no order and no group: each record
 * is handled alone, and one that fails holds back no other. The failure
 * rules are the promoter's (createGroupedQueueHandler): a malformed check,
 * or one Argo CD answers in a way no retry changes, goes to the dead-letter
 * queue at once with its reason; an error such as an unreachable Argo CD
 * reports the record for redelivery after the visibility timeout.
 */
export function createGatesHandler(deps: GatesHandlerDeps) {
  return createGroupedQueueHandler<GateCheck>({
    // The schema, and zod's classic API with it, load with the first batch.
    bodySchema: loadOnce(async () => (await import('../core/promotion/gate-check')).GateCheckSchema),
    idOf: (check) => check.id,
    process: async (checks) => {
      // One check per call (togetherKeyOf below); the loop only keeps the type honest.
      for (const check of checks) {
        const decision = await deps.check(check);
        deps.log.info('gate checked', {
          gate: check.id,
          decision: decision.kind,
          reason: decision.reason,
          polls: check.polls,
          ...(decision.kind === 'wait' ? { delaySeconds: decision.delaySeconds } : {}),
        });
      }
      return { failures: [] };
    },
    deadLetters: deps.deadLetters,
    ...(deps.maxReceives === undefined ? {} : { maxReceives: deps.maxReceives }),
    togetherKeyOf: (record) => record.messageId,
    log: deps.log,
  });
}
