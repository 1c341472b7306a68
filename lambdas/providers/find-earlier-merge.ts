import type { MergeRequest, PullRequestStatus } from '../core/ports';

/**
 * The merge commit of a PR/MR that is merged already at the approved head:
 * a merge that is asked again (a redelivered message, a retry after the host
 * merged but the answer was lost) returns the earlier result instead of
 * failing. Undefined otherwise.
 */
export function findEarlierMerge(status: PullRequestStatus, request: MergeRequest): { readonly sha: string } | undefined {
  if (status.state !== 'merged' || status.head !== request.expectedHead || status.mergeCommit === undefined) return undefined;
  return { sha: status.mergeCommit };
}
