import * as z from 'zod';
import { PushedCommitSchema, refTypeOf } from './changed-paths';
import { accepted, type IntakeOutcome, ignored, parseWith } from './intake-outcome';
import { parseCommitStatus, parsePullRequest, parsePush } from './parse-github-delivery';

/*
 * Shapes follow Gitea's webhook payloads (the structs in its API module,
 * shown on docs.gitea.com "Webhooks"): GitHub-like, with `username`/`login`
 * on users and a `package` event for its package registry.
 */

const RepositorySchema = z.object({ full_name: z.string().min(1) });
const GiteaUserSchema = z.object({ login: z.string().optional(), username: z.string().optional() });

const PushSchema = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  repository: RepositorySchema,
  pusher: GiteaUserSchema.nullish(),
  commits: z.array(PushedCommitSchema).nullish(),
});

/**
 * Gitea Actions' `workflow_run` (Gitea 1.24 and later, `WorkflowRunPayload`).
 * Unlike GitHub's, the run carries no `name`: the workflow's is in
 * `workflow.name` (the file's `name:`, else its file name). `head_branch` is
 * left out when a tag or a pull request started the run, while `path` is
 * always `<workflow file>@<full ref>`.
 */
const WorkflowRunSchema = z.object({
  action: z.string(),
  repository: RepositorySchema,
  workflow: z.object({ name: z.string().min(1) }).nullish(),
  workflow_run: z.object({
    id: z.number(),
    head_sha: z.string(),
    head_branch: z.string().nullish(),
    path: z.string().nullish(),
    conclusion: z.string().nullish(),
    html_url: z.string(),
  }),
});

const PackageSchema = z.object({
  action: z.string(),
  package: z.object({
    type: z.string(),
    name: z.string(),
    version: z.string(),
    html_url: z.string(),
    created_at: z.string().optional(),
    owner: GiteaUserSchema,
    /** The repository the package is linked to, when it is. */
    repository: z.object({ full_name: z.string() }).nullish(),
  }),
});

const DIGEST = /^sha256:[0-9a-f]{64}$/;

const nameOf = (user: z.infer<typeof GiteaUserSchema> | null | undefined): string => user?.username ?? user?.login ?? 'unknown';

/** Normalizes one verified Gitea delivery; `eventName` is `X-Gitea-Event`. */
export function parseGiteaDelivery(eventName: string, payload: unknown, receivedAt: Date): IntakeOutcome {
  switch (eventName) {
    case 'push': {
      const push = parseWith(PushSchema, payload, 'Gitea push payload');
      return parsePush('gitea', {
        ref: push.ref,
        before: push.before,
        after: push.after,
        repository: push.repository.full_name,
        author: nameOf(push.pusher),
        commits: push.commits ?? [],
      });
    }
    case 'workflow_run':
      return parseWorkflowRun(payload);
    case 'status':
      return parseCommitStatus('gitea', payload);
    case 'pull_request':
      return parsePullRequest('gitea', payload);
    case 'package': {
      const body = parseWith(PackageSchema, payload, 'Gitea package payload');
      const pkg = body.package;
      if (body.action !== 'created') return ignored(`package action '${body.action}' is not handled`);
      if (pkg.type !== 'container') return ignored(`package type '${pkg.type}' is not a container image`);
      // Gitea's container registry lives on the instance's own host name.
      const registry = new URL(pkg.html_url).host;
      const isDigest = DIGEST.test(pkg.version);
      const created = pkg.created_at ? new Date(pkg.created_at) : receivedAt;
      return accepted({
        type: 'image.published',
        registry,
        repository: `${nameOf(pkg.owner)}/${pkg.name}`.toLowerCase(),
        ...(isDigest ? { digest: pkg.version } : { tag: pkg.version }),
        pushedAt: (Number.isNaN(created.getTime()) ? receivedAt : created).toISOString(),
        reportedBy: { host: 'gitea', event: 'package', ...(pkg.repository ? { repository: pkg.repository.full_name } : {}) },
      });
    }
    default:
      return ignored(`Gitea event '${eventName}' is not handled`);
  }
}

/** A Gitea Actions run; only a completed, successful one counts. */
function parseWorkflowRun(payload: unknown): IntakeOutcome {
  const body = parseWith(WorkflowRunSchema, payload, 'Gitea workflow_run payload');
  const run = body.workflow_run;
  if (body.action !== 'completed') return ignored(`workflow_run action '${body.action}' is not handled`);
  if (run.conclusion !== 'success') return ignored(`workflow_run concluded '${run.conclusion || 'unknown'}', not success`);
  return accepted({
    type: 'ci.succeeded',
    host: 'gitea',
    repository: body.repository.full_name,
    ref: refOfRun(run),
    sha: run.head_sha,
    pipeline: { id: String(run.id), name: body.workflow?.name ?? `run ${run.id}`, url: run.html_url },
  });
}

/**
 * The branch or tag a run was for: `head_branch`, else the ref after `@` in
 * `path`; for anything else (a pull request's `refs/pull/…`) the commit SHA,
 * which matches no branch filter.
 */
function refOfRun(run: z.infer<typeof WorkflowRunSchema>['workflow_run']): string {
  if (run.head_branch) return `refs/heads/${run.head_branch}`;
  const at = run.path?.indexOf('@refs/') ?? -1;
  const ref = at >= 0 ? run.path?.slice(at + 1) : undefined;
  return ref !== undefined && refTypeOf(ref) !== undefined ? ref : run.head_sha;
}
