import middy from '@middy/core';
import type { EnqueueOnceDeps } from '../core/intake/enqueue-once';
import { type EcrIntakeResult, receiveEcrEvent } from '../core/intake/receive-ecr-event';
import { logger } from '../shared/logger';

/**
 * The ECR-event function, invoked by EventBridge. A thrown error makes Lambda
 * retry the asynchronous invocation and, after that, send it to the
 * function's dead-letter destination: no push is silently lost.
 */
export function createEcrEventHandler(deps: EnqueueOnceDeps & { readonly now: () => Date }) {
  return middy<unknown, EcrIntakeResult>().handler(async (event) => {
    const result = await receiveEcrEvent(event, deps);
    if (result.status === 'ignored') logger.info('ECR event ignored', { id: result.id, reason: result.reason });
    else logger.info('ECR event handled', { id: result.id, status: result.status });
    return result;
  });
}
