import * as z from 'zod';
import type { GitHost } from '../events';
import { collectChangedPaths, isZeroSha, type PushedCommit, PushedCommitSchema, refTypeOf } from './changed-paths';
import { accepted, type IntakeOutcome, ignored, parseWith } from './intake-outcome';

/*
 * Only the fields Hoist reads are declared; everything else in GitHub's
 * payloads passes through untouched (zod objects strip unknown keys).
 * Field meanings follow GitHub's "Webhook events and payloads" reference.
 */

const RepositorySchema = z.object({ full_name: z.string().min(1) });
const UserSchema = z.object({ login: z.string() });

const PushSchema = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  deleted: z.boolean().optional(),
  repository: RepositorySchema,
  pusher: z.object({ name: z.string() }),
  commits: z.array(PushedCommitSchema).default([]),
});

/** GitHub's `workflow_run`; Gitea Actions send a different run object (see parse-gitea-delivery.ts). */
export const WorkflowRunPayloadSchema = z.object({
  action: z.string(),
  repository: RepositorySchema,
  workflow_run: z.object({
    id: z.number(),
    name: z.string().nullish(),
    head_branch: z.string().nullish(),
    head_sha: z.string(),
    conclusion: z.string().nullish(),
    html_url: z.string(),
  }),
  /** The workflow the run belongs to; its name is what `pipeline` filters match when the run has none of its own. */
  workflow: z.object({ name: z.string().nullish() }).nullish(),
});

/**
 * A commit status (`status` event), shared with Gitea. GitHub lists up to 10
 * `branches` that contain the commit, whether or not it is their head; Gitea
 * sends no `branches` at all. `target_url` is null on GitHub when the CI set
 * none, an empty string on Gitea.
 */
export const CommitStatusPayloadSchema = z.object({
  id: z.number(),
  sha: z.string(),
  state: z.string(),
  context: z.string(),
  target_url: z.string().nullish(),
  repository: RepositorySchema,
  branches: z.array(z.object({ name: z.string().min(1), commit: z.object({ sha: z.string().nullish() }) })).nullish(),
});

const PullRequestSchema = z.object({
  action: z.string(),
  number: z.number(),
  repository: RepositorySchema,
  sender: UserSchema,
  pull_request: z.object({
    title: z.string(),
    html_url: z.string(),
    merged: z.boolean().nullish(),
    merge_commit_sha: z.string().nullish(),
    merged_by: UserSchema.nullish(),
    head: z.object({ ref: z.string() }),
    base: z.object({ ref: z.string() }),
  }),
});

const ContainerMetadataSchema = z.object({ tag: z.object({ name: z.string().nullish(), digest: z.string().nullish() }).nullish() }).nullish();

const PackageVersionSchema = z.object({
  name: z.string().nullish(),
  version: z.string().nullish(),
  package_url: z.string().nullish(),
  container_metadata: ContainerMetadataSchema,
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});

const PackageBodySchema = z.object({
  name: z.string(),
  namespace: z.string().nullish(),
  package_type: z.string(),
  owner: z.object({ login: z.string() }).nullish(),
  package_version: PackageVersionSchema.nullish(),
  updated_at: z.string().nullish(),
});

/** The repository a package event comes from (GitHub sends it when the package is linked to one). */
const AnnouncingRepositorySchema = z.object({ full_name: z.string() }).nullish();
const PackageEventSchema = z.object({ action: z.string(), package: PackageBodySchema, repository: AnnouncingRepositorySchema });
const RegistryPackageEventSchema = z.object({ action: z.string(), registry_package: PackageBodySchema, repository: AnnouncingRepositorySchema });

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Normalizes one verified GitHub delivery. `eventName` is `X-GitHub-Event`;
 * `receivedAt` stamps events whose payload has no time of its own.
 */
export function parseGitHubDelivery(eventName: string, payload: unknown, receivedAt: Date): IntakeOutcome {
  switch (eventName) {
    case 'ping':
      return { kind: 'ping', message: 'pong' };
    case 'push': {
      const push = parseWith(PushSchema, payload, 'GitHub push payload');
      return parsePush('github', { ...push, repository: push.repository.full_name, author: push.pusher.name });
    }
    case 'workflow_run':
      return parseWorkflowRun(payload);
    case 'status':
      return parseCommitStatus('github', payload);
    case 'pull_request':
      return parsePullRequest('github', payload);
    case 'package':
      return parsePackage(parseWith(PackageEventSchema, payload, 'GitHub package payload'), eventName, receivedAt);
    case 'registry_package': {
      const body = parseWith(RegistryPackageEventSchema, payload, 'GitHub registry_package payload');
      return parsePackage({ action: body.action, package: body.registry_package, repository: body.repository }, eventName, receivedAt);
    }
    default:
      return ignored(`GitHub event '${eventName}' is not handled`);
  }
}

/** The fields of a push that GitHub, Gitea and GitLab all send. */
export interface PushFields {
  readonly ref: string;
  readonly before: string;
  readonly after: string;
  readonly deleted?: boolean | undefined;
  readonly repository: string;
  readonly author: string;
  readonly commits: readonly PushedCommit[];
}

/** Normalizes a push once the host-specific fields are picked out. */
export function parsePush(host: GitHost, push: PushFields): IntakeOutcome {
  const refType = refTypeOf(push.ref);
  if (refType === undefined) return ignored(`push to '${push.ref}' is neither a branch nor a tag`);
  if (push.deleted === true || isZeroSha(push.after)) return ignored(`${refType} '${push.ref}' was deleted`);
  const { paths, truncated } = collectChangedPaths(push.commits);
  return accepted({
    type: 'git.push',
    host,
    repository: push.repository,
    ref: push.ref,
    refType,
    before: push.before,
    after: push.after,
    changedPaths: paths,
    changedPathsTruncated: truncated,
    author: push.author,
  });
}

/** A GitHub `workflow_run` delivery; only a completed, successful run counts. */
function parseWorkflowRun(payload: unknown): IntakeOutcome {
  const body = parseWith(WorkflowRunPayloadSchema, payload, 'GitHub workflow_run payload');
  const run = body.workflow_run;
  if (body.action !== 'completed') return ignored(`workflow_run action '${body.action}' is not handled`);
  if (run.conclusion !== 'success') return ignored(`workflow_run concluded '${run.conclusion ?? 'unknown'}', not success`);
  return accepted({
    type: 'ci.succeeded',
    host: 'github',
    repository: body.repository.full_name,
    ref: run.head_branch ? `refs/heads/${run.head_branch}` : run.head_sha,
    sha: run.head_sha,
    pipeline: { id: String(run.id), name: run.name || body.workflow?.name || `run ${run.id}`, url: run.html_url },
  });
}

/**
 * A commit status delivery (`status`): how Jenkins, Drone or Woodpecker report
 * a build on GitHub and Gitea. Only `success` counts; the status `context`
 * names the pipeline, its `id` and `target_url` identify the run.
 *
 * `ref` is `refs/heads/<branch>` for the branch the commit is the head of,
 * else for the first branch listed. With no branch listed (always on Gitea,
 * which sends none) `ref` is the commit SHA itself: a placeholder that names
 * the commit but matches no branch filter.
 */
export function parseCommitStatus(host: GitHost, payload: unknown): IntakeOutcome {
  const body = parseWith(CommitStatusPayloadSchema, payload, `${host} status payload`);
  if (body.state !== 'success') return ignored(`status '${body.context}' is '${body.state}', not success`);
  const branches = body.branches ?? [];
  const branch = branches.find((b) => b.commit.sha === body.sha) ?? branches[0];
  return accepted({
    type: 'ci.succeeded',
    host,
    repository: body.repository.full_name,
    ref: branch ? `refs/heads/${branch.name}` : body.sha,
    sha: body.sha,
    pipeline: { id: String(body.id), name: body.context, url: body.target_url ?? '' },
  });
}

/** A `pull_request` delivery; Gitea sends the same shape (its users also carry `login`). */
export function parsePullRequest(host: GitHost, payload: unknown): IntakeOutcome {
  const body = parseWith(PullRequestSchema, payload, `${host} pull_request payload`);
  const pr = body.pull_request;
  if (body.action !== 'closed') return ignored(`pull_request action '${body.action}' is not handled`);
  if (pr.merged !== true) return ignored(`pull request #${body.number} was closed without merging`);
  return accepted({
    type: 'change.merged',
    host,
    repository: body.repository.full_name,
    number: body.number,
    title: pr.title,
    url: pr.html_url,
    sourceBranch: pr.head.ref,
    targetBranch: pr.base.ref,
    ...(pr.merge_commit_sha ? { mergeCommitSha: pr.merge_commit_sha } : {}),
    mergedBy: pr.merged_by?.login ?? body.sender.login,
  });
}

function parsePackage(body: z.infer<typeof PackageEventSchema>, eventName: string, receivedAt: Date): IntakeOutcome {
  const pkg = body.package;
  if (body.action !== 'published') return ignored(`${eventName} action '${body.action}' is not handled`);
  const type = pkg.package_type.toLowerCase();
  if (type !== 'container' && type !== 'docker') return ignored(`package type '${pkg.package_type}' is not a container image`);
  const version = pkg.package_version;
  const tagInfo = version?.container_metadata?.tag;
  const tag = tagInfo?.name || undefined;
  const digest = [tagInfo?.digest, version?.name, version?.version].find((v) => v && DIGEST.test(v)) ?? undefined;
  if (tag === undefined && digest === undefined) return ignored('package version carries neither a tag nor a digest');
  const { registry, repository } = imageLocationOf(pkg);
  return accepted({
    type: 'image.published',
    registry,
    repository,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
    pushedAt: firstPlausibleTime([version?.updated_at, version?.created_at, pkg.updated_at], receivedAt),
    reportedBy: { host: 'github', event: eventName, ...(body.repository ? { repository: body.repository.full_name } : {}) },
  });
}

/** `package_url` (`ghcr.io/owner/name:tag`) wins; otherwise GitHub's container registry. */
function imageLocationOf(pkg: z.infer<typeof PackageBodySchema>): { registry: string; repository: string } {
  const url = pkg.package_version?.package_url;
  if (url) {
    const withoutTag = url.replace(/^[a-z]+:\/\//, '').replace(/[@:][^/]*$/, '');
    const slash = withoutTag.indexOf('/');
    if (slash > 0) return { registry: withoutTag.slice(0, slash), repository: withoutTag.slice(slash + 1).toLowerCase() };
  }
  const owner = pkg.namespace?.split('/')[0] ?? pkg.owner?.login ?? '';
  return { registry: 'ghcr.io', repository: `${owner}/${pkg.name}`.toLowerCase() };
}

/** GitHub sends `0001-01-01T00:00:00Z` for container versions; such a time means "unknown". */
const EARLIEST_PLAUSIBLE = Date.UTC(2000, 0, 1);

function firstPlausibleTime(values: ReadonlyArray<string | null | undefined>, fallback: Date): string {
  for (const value of values) {
    const time = value ? Date.parse(value) : Number.NaN;
    if (time >= EARLIEST_PLAUSIBLE) return new Date(time).toISOString();
  }
  return fallback.toISOString();
}
