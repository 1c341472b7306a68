import * as z from 'zod';
import { PushedCommitSchema } from './changed-paths';
import { accepted, type IntakeOutcome, ignored, parseWith } from './intake-outcome';
import { parsePush } from './parse-github-delivery';

/*
 * Shapes follow GitLab's "Webhook events" reference (Push Hook, Tag Push Hook,
 * Pipeline Hook, Merge Request Hook). `object_kind` in the body is the source
 * of truth for the event type; `X-Gitlab-Event` only has to agree with it.
 */

const ProjectSchema = z.object({ path_with_namespace: z.string().min(1) });
const KindSchema = z.object({ object_kind: z.string() });

const PushSchema = z.object({
  object_kind: z.enum(['push', 'tag_push']),
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  user_username: z.string().nullish(),
  user_name: z.string().nullish(),
  project: ProjectSchema,
  commits: z.array(PushedCommitSchema).default([]),
  total_commits_count: z.number().optional(),
});

const PipelineSchema = z.object({
  object_kind: z.literal('pipeline'),
  project: ProjectSchema,
  object_attributes: z.object({
    id: z.number(),
    iid: z.number().optional(),
    name: z.string().nullish(),
    ref: z.string(),
    tag: z.boolean().optional(),
    sha: z.string(),
    status: z.string(),
    url: z.string().optional(),
  }),
});

const MergeRequestSchema = z.object({
  object_kind: z.literal('merge_request'),
  user: z.object({ username: z.string() }),
  project: ProjectSchema,
  object_attributes: z.object({
    iid: z.number(),
    title: z.string(),
    url: z.string(),
    source_branch: z.string(),
    target_branch: z.string(),
    action: z.string().optional(),
    state: z.string(),
    merge_commit_sha: z.string().nullish(),
  }),
});

/** The `X-Gitlab-Event` value GitLab sends for each `object_kind` Hoist reads. */
const EXPECTED_HEADER: Record<string, string> = {
  push: 'Push Hook',
  tag_push: 'Tag Push Hook',
  pipeline: 'Pipeline Hook',
  merge_request: 'Merge Request Hook',
};

/** Normalizes one verified GitLab delivery. */
export function parseGitLabDelivery(eventHeader: string | undefined, payload: unknown): IntakeOutcome {
  const { object_kind: kind } = parseWith(KindSchema, payload, 'GitLab payload');
  const expected = EXPECTED_HEADER[kind];
  if (expected === undefined) return ignored(`GitLab event '${eventHeader ?? kind}' is not handled`);
  // System hooks send "System Hook" for the same bodies; anything else disagreeing is suspicious.
  if (eventHeader !== undefined && eventHeader !== expected && eventHeader !== 'System Hook') {
    return ignored(`X-Gitlab-Event '${eventHeader}' does not match object_kind '${kind}'`);
  }
  switch (kind) {
    case 'push':
    case 'tag_push': {
      const push = parseWith(PushSchema, payload, 'GitLab push payload');
      const outcome = parsePush('gitlab', {
        ref: push.ref,
        before: push.before,
        after: push.after,
        repository: push.project.path_with_namespace,
        author: push.user_username ?? push.user_name ?? 'unknown',
        commits: push.commits,
      });
      // GitLab lists at most 20 commits; the paths of the others are unknown.
      if (outcome.kind === 'events' && (push.total_commits_count ?? 0) > push.commits.length) {
        const [event] = outcome.events;
        if (event?.type === 'git.push') return accepted({ ...event, changedPathsTruncated: true });
      }
      return outcome;
    }
    case 'pipeline': {
      const body = parseWith(PipelineSchema, payload, 'GitLab pipeline payload');
      const run = body.object_attributes;
      if (run.status !== 'success') return ignored(`pipeline ${run.id} status is '${run.status}', not success`);
      return accepted({
        type: 'ci.succeeded',
        host: 'gitlab',
        repository: body.project.path_with_namespace,
        ref: fullRefOf(run),
        sha: run.sha,
        // `name` comes from the pipeline's `workflow:name`; trigger `pipeline` filters match it.
        pipeline: { id: String(run.id), name: run.name || `pipeline ${run.iid ?? run.id}`, url: run.url ?? '' },
      });
    }
    default: {
      const body = parseWith(MergeRequestSchema, payload, 'GitLab merge_request payload');
      const mr = body.object_attributes;
      if (mr.action !== 'merge') return ignored(`merge request action '${mr.action ?? mr.state}' is not handled`);
      return accepted({
        type: 'change.merged',
        host: 'gitlab',
        repository: body.project.path_with_namespace,
        number: mr.iid,
        title: mr.title,
        url: mr.url,
        sourceBranch: mr.source_branch,
        targetBranch: mr.target_branch,
        ...(mr.merge_commit_sha ? { mergeCommitSha: mr.merge_commit_sha } : {}),
        mergedBy: body.user.username,
      });
    }
  }
}

/**
 * A pipeline's `ref` is a short branch or tag name (`tag` tells which); one
 * that is already a full ref (a merge request pipeline's
 * `refs/merge-requests/<iid>/head`) is kept as it is.
 */
function fullRefOf(run: { readonly ref: string; readonly tag?: boolean | undefined }): string {
  if (run.ref.startsWith('refs/')) return run.ref;
  return `${run.tag === true ? 'refs/tags/' : 'refs/heads/'}${run.ref}`;
}
