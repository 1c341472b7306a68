import * as z from 'zod';
import { MAX_CHANGED_PATHS } from '../events';

/** A commit as GitHub, GitLab and Gitea list it in a push payload (only the path lists). */
export const PushedCommitSchema = z.object({
  added: z.array(z.string()).nullish(),
  modified: z.array(z.string()).nullish(),
  removed: z.array(z.string()).nullish(),
});
export type PushedCommit = z.infer<typeof PushedCommitSchema>;

/**
 * The distinct paths a push touched, in first-seen order, capped at
 * MAX_CHANGED_PATHS so one huge push cannot overflow a queue message.
 */
export function collectChangedPaths(commits: readonly PushedCommit[]): { paths: string[]; truncated: boolean } {
  const seen = new Set<string>();
  for (const commit of commits) {
    for (const path of [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])]) {
      if (seen.size >= MAX_CHANGED_PATHS && !seen.has(path)) return { paths: [...seen], truncated: true };
      seen.add(path);
    }
  }
  return { paths: [...seen], truncated: false };
}

/** `branch` for `refs/heads/…`, `tag` for `refs/tags/…`, undefined for anything else. */
export function refTypeOf(ref: string): 'branch' | 'tag' | undefined {
  if (ref.startsWith('refs/heads/')) return 'branch';
  if (ref.startsWith('refs/tags/')) return 'tag';
  return undefined;
}

/** Git's all-zero SHA marks a created (before) or deleted (after) ref. */
export function isZeroSha(sha: string): boolean {
  return /^0+$/.test(sha);
}
