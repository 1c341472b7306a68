import type { PullRequestStatus } from '../core/ports';

export type ChecksState = PullRequestStatus['checks'];

/** Several checks (or groups of them) as one: any failing fails, then any pending is pending, then passing; `none` when there are none. */
export function combineChecks(states: readonly ChecksState[]): ChecksState {
  for (const state of ['failing', 'pending', 'passing'] as const) if (states.includes(state)) return state;
  return 'none';
}
