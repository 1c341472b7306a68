import middy from '@middy/core';
import { type ReceiveSecretEventDeps, receiveSecretEvent, type SecretIntakeResult } from '../core/intake/receive-secret-event';
import { logger } from '../shared/logger';

/**
 * The secret-event function, invoked by EventBridge with a CloudTrail-recorded
 * Secrets Manager call. A thrown error (a malformed event, a queue that cannot
 * be reached) makes Lambda retry the asynchronous invocation and then send it
 * to the function's dead-letter destination: no change is silently lost.
 */
export function createSecretEventHandler(deps: ReceiveSecretEventDeps) {
  return middy<unknown, SecretIntakeResult>().handler(async (event) => {
    const result = await receiveSecretEvent(event, deps);
    if (result.status === 'ignored') logger.info('Secrets Manager event ignored', { id: result.id, reason: result.reason });
    else logger.info('secret change queued', { id: result.id, secret: result.secret, change: result.change });
    return result;
  });
}
