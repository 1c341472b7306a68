import middy from '@middy/core';
import { type ReconcileSecretsDeps, type ReconcileSecretsInput, type ReconcileSecretsResult, reconcileSecrets } from '../core/secrets/reconcile-secrets';
import { logger } from '../shared/logger';

/**
 * The secrets-reconcile function, invoked by EventBridge Scheduler; the event
 * carries nothing it reads. A listing or queue failure fails the invocation
 * (the function's error alarm shows it); the next scheduled run is the retry.
 */
export function createSecretsReconcileHandler(input: ReconcileSecretsInput, deps: ReconcileSecretsDeps) {
  return middy<unknown, ReconcileSecretsResult>().handler(async () => {
    const result = await reconcileSecrets(input, deps);
    logger.info('secrets reconciled', {
      listed: result.listed,
      queued: result.queued.reconcile + result.queued.deleted,
      reconcile: result.queued.reconcile,
      deleted: result.queued.deleted,
      skipped: result.skipped.length,
    });
    for (const { secret, reason } of result.skipped) logger.warn('secret not queued', { secret, reason });
    return result;
  });
}
