import { TerminalError, ValidationError } from '../../shared/errors';
import type { PromotionConfig, RepositoryConfig } from '../config/promotion-config';
import { TAG_PATTERN } from '../image-ref';
import type { AuditLog, GitProvider, TargetStateStore } from '../ports';
import { currentVersionOf, editsForSite } from '../yaml/image-sites';
import { applyScalarEdits } from '../yaml/scalar-splice';
import { sitesOf } from './decide-target';
import { viewOf } from './read-workspace';
import type { ResolvedTarget } from './targets';

export interface RollbackDeps {
  readonly config: PromotionConfig;
  readonly providerFor: (repository: RepositoryConfig) => Promise<GitProvider>;
  readonly states: TargetStateStore;
  readonly audit: AuditLog;
  readonly now: () => Date;
}

/** A promotion as the audit trail recorded it: which target moved from which tag to which. */
export interface RecordedPromotion {
  readonly at: string;
  readonly targetKey: string;
  readonly fromTag?: string;
  readonly toTag: string;
  /** Written by a rollback, not by a promotion forward. */
  readonly rollback?: boolean;
}

/**
 * The tag a target had before its current one, from the audit trail: the
 * `fromTag` of the newest promotion that wrote the tag the file holds now.
 */
export function previousTagOf(history: readonly RecordedPromotion[], targetKey: string, currentTag: string): string | undefined {
  // A rollback that wrote the current tag back does not count: what came before is where the forward promotion to it came from.
  return [...history].filter((p) => p.targetKey === targetKey && p.toTag === currentTag && p.rollback !== true).sort((a, b) => b.at.localeCompare(a.at))[0]
    ?.fromTag;
}

export interface RollbackResult {
  readonly target: string;
  readonly fromTag: string;
  readonly toTag: string;
  readonly commit: string;
  readonly branch: string;
  readonly pullRequest?: { readonly number: number; readonly url: string };
}

/**
 * Returns a target to an earlier tag with a new commit (never a force-push),
 * or a PR/MR where the target takes them, and holds it there: the state
 * remembers the tag it came from, so automation moves it again only for an
 * image newer than that, or once a person releases it (`hoist release`).
 */
export async function rollbackTarget(
  target: ResolvedTarget,
  request: { readonly toTag?: string; readonly by: string; readonly history: readonly RecordedPromotion[] },
  deps: RollbackDeps,
): Promise<RollbackResult> {
  if (request.toTag !== undefined && !TAG_PATTERN.test(request.toTag)) {
    throw new ValidationError(`--tag '${request.toTag}' is not an image tag ([A-Za-z0-9_] then up to 127 of [A-Za-z0-9._-])`);
  }
  const provider = await deps.providerFor(target.repository);
  const view = await viewOf(provider, target.repository, target.branch, target.mode);
  // What runs is on the base branch: a PR/MR environment is rolled back from there, whatever its open proposal says.
  const readAt = target.mode === 'pull-request' ? await provider.branchHead(target.repository.baseBranch) : view.commit;
  if (readAt === undefined) throw new TerminalError(`base branch '${target.repository.baseBranch}' of '${target.repository.name}' does not exist`);
  const text = await provider.readFile(readAt, target.file);
  if (text === undefined) throw new TerminalError(`${target.file} does not exist on ${target.branch}`);
  const [site] = sitesOf(target, text);
  if (site === undefined) throw new TerminalError(`no image field for ${target.image} in ${target.file}`);
  const current = currentVersionOf(site).tag;
  if (current === undefined) throw new TerminalError(`${target.file} names ${target.image} without a tag`);
  const toTag = request.toTag ?? previousTagOf(request.history, target.key, current);
  if (toTag === undefined) {
    throw new TerminalError(`the audit trail has no tag of ${target.service} in ${target.environment} before '${current}'; name one with --tag`);
  }
  if (toTag === current) throw new TerminalError(`${target.service} in ${target.environment} is at '${current}' already`);
  const edited = applyScalarEdits(text, editsForSite(site, { tag: toTag, digestMode: 'none' }));
  const message = `revert(${target.environment}): roll ${target.service} back ${current} -> ${toTag}\n\nRolled back by ${request.by} with hoist rollback.`;
  const commit = await provider.commit({
    branch: target.branch,
    parent: view.commit,
    files: [{ path: target.file, content: edited }],
    message,
    update: view.update,
    startBranch: view.update === 'fast-forward' ? target.branch : target.repository.baseBranch,
  });
  let pullRequest = view.pullRequest;
  if (target.mode === 'pull-request' && provider.supportsPullRequests && pullRequest === undefined) {
    pullRequest = await provider.openPullRequest({
      branch: target.branch,
      base: target.repository.baseBranch,
      title: `revert(${target.environment}): roll ${target.service} back to ${toTag}`,
      body: `Rolls ${target.service} in ${target.environment} back from \`${current}\` to \`${toTag}\` (by ${request.by}).`,
      labels: target.labels,
    });
  }
  const state = (await deps.states.get([target.key])).get(target.key) ?? {};
  // Held above the tag it came from: only a newer image, or `hoist release`, moves it again.
  await deps.states.put(target.key, { ...state, lastWrittenTag: current, heldAbove: current });
  const at = deps.now().toISOString();
  await deps.audit.record({
    id: `rollback:${target.key}:${at}`,
    at,
    outcome: 'promoted',
    repository: target.repository.name,
    branch: target.branch,
    commit: commit.sha,
    ...(pullRequest ? { pullRequestUrl: pullRequest.url } : {}),
    promotions: [
      {
        targetKey: target.key,
        image: target.image,
        service: target.service,
        environment: target.environment,
        file: target.file,
        fromTag: current,
        toTag,
        source: `rollback by ${request.by}`,
        rollback: true,
      },
    ],
    reasons: [`rolled back by ${request.by}; held until an image newer than '${current}' or hoist release`],
    events: [],
    durationMs: 0,
  });
  return {
    target: target.key,
    fromTag: current,
    toTag,
    commit: commit.sha,
    branch: target.branch,
    ...(pullRequest ? { pullRequest: { number: pullRequest.number, url: pullRequest.url } } : {}),
  };
}
