import type { MergeRequest, PullRequestStatus } from '../core/ports';
import { ConflictError, RetryLaterError, TerminalError } from '../shared/errors';

/** How long a merge waits for running checks before a queue consumer asks again. */
export const PENDING_CHECKS_RETRY_SECONDS = 60;

/**
 * Throws why `status` must not be merged as `request` asks, the same way on
 * every host: not open, or checks failing, is a TerminalError; a head other
 * than the approved one is a ConflictError (a push after the approval is not
 * merged with it); checks still running are a RetryLaterError. `name` names
 * the PR/MR for people (`pull request #3`, `merge request !3`).
 */
export function assertMergeable(status: PullRequestStatus, request: MergeRequest, name: string): void {
  if (status.state !== 'open') throw new TerminalError(`${name} is ${status.state}, not open: it is not merged`);
  if (status.head !== request.expectedHead) {
    throw new ConflictError(`${name} moved to ${status.head} after ${request.expectedHead} was approved: it is not merged`);
  }
  if (status.checks === 'failing') throw new TerminalError(`${name} has failing checks at ${status.head}: it is not merged`);
  if (status.checks === 'pending') {
    throw new RetryLaterError(`${name} has checks still running at ${status.head}; merge it once they pass`, PENDING_CHECKS_RETRY_SECONDS);
  }
}
