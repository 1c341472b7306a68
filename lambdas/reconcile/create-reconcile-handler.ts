import middy from '@middy/core';
import type { EnqueueOnceDeps } from '../core/intake/enqueue-once';
import { type ReconcileEcrInput, type ReconcileEcrResult, reconcileEcr } from '../core/intake/reconcile-ecr';
import { logger } from '../shared/logger';

/** Raised after a run that reconciled what it could but could not list every repository. */
export class ReconcileIncompleteError extends Error {
  constructor(readonly result: ReconcileEcrResult) {
    super(`could not list ${result.failed.map((f) => `${f.repository} (${f.reason})`).join(', ')}`);
    this.name = 'ReconcileIncompleteError';
  }
}

/**
 * The reconcile function, invoked by EventBridge Scheduler; the event carries
 * nothing it reads. A repository that could not be listed fails the
 * invocation after the others were reconciled, so the failure shows in the
 * function's errors; the next scheduled run is the retry.
 */
export function createReconcileHandler(input: ReconcileEcrInput, deps: EnqueueOnceDeps & { readonly now: () => Date }) {
  return middy<unknown, ReconcileEcrResult>().handler(async () => {
    const result = await reconcileEcr(input, deps);
    logger.info('ECR reconciled', {
      listed: result.listed,
      older: result.older,
      queued: result.queued,
      alreadySeen: result.alreadySeen,
      ignored: result.ignored.length,
      failed: result.failed.length,
    });
    for (const { image, reason } of result.ignored) logger.info('reconciled image ignored', { image, reason });
    if (result.failed.length > 0) {
      for (const { repository, reason } of result.failed) logger.error('ECR repository not listed', { repository, reason });
      throw new ReconcileIncompleteError(result);
    }
    return result;
  });
}
