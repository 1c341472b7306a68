import type { BranchUpdate, GitProvider, PullRequestInfo } from '../../providers/git-provider';
import { ConflictError } from '../../shared/errors';
import type { PromotionConfig, RepositoryConfig, SlackDestination } from '../config/promotion-config';
import type { EventEnvelope } from '../events';
import type { ArgoCdRefresher, AuditLog, Notifier, TargetStateStore, WarningLog } from '../ports';
import { imageUpdatesOf, type NoOp, type PlannedChange, planPromotions, type ResolvedTarget, targetsOf } from './plan-promotions';
import { failureMessage, heldMessage, promotionMessage } from './slack-message';

export interface PromoteDeps {
  readonly config: PromotionConfig;
  /** The provider of a repository (built once per repository and reused). */
  readonly providerFor: (repository: RepositoryConfig) => Promise<GitProvider>;
  readonly states: TargetStateStore;
  readonly audit: AuditLog;
  readonly argocd?: ArgoCdRefresher;
  /** The Slack webhook for a destination; `undefined` asks for the default one. None: no messages. */
  readonly notifierFor?: (destination: SlackDestination | undefined) => Notifier | undefined;
  readonly log: WarningLog;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** Attempts when a branch moves under us. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff before attempt n (2-based). @default 200 ms · 2^(n-2), with jitter */
  readonly backoffMs?: (attempt: number) => number;
}

/** What one change became. */
export interface AppliedChange {
  readonly change: PlannedChange;
  readonly commit: string;
  readonly pullRequest?: PullRequestInfo;
  readonly refreshFailures: readonly string[];
}

export interface BatchResult {
  readonly applied: readonly AppliedChange[];
  readonly noops: readonly NoOp[];
  readonly attempts: number;
}

/** Where one repository branch is read from and how its commit will move it. */
interface BranchView {
  readonly commit: string;
  readonly update: BranchUpdate;
  readonly pullRequest?: PullRequestInfo;
}

/**
 * Promotes the images of a batch of queued events: reads the target files,
 * plans, commits (or pushes a PR branch and opens or reuses its PR), then
 * refreshes Argo CD and tells Slack. A branch that moved under us means
 * re-read, re-plan and retry with backoff; what already landed plans as a
 * no-op on the next attempt, so nothing is applied twice. After the last
 * attempt the ConflictError propagates: the queue retries the message and,
 * in the end, dead-letters it.
 */
export async function promoteBatch(envelopes: readonly EventEnvelope[], deps: PromoteDeps): Promise<BatchResult> {
  const started = deps.now().getTime();
  const { updates, noops: eventNoops } = imageUpdatesOf(envelopes);
  const eventIds = envelopes.map((e) => e.id);
  const maxAttempts = deps.maxAttempts ?? 5;
  const backoff = deps.backoffMs ?? ((n: number) => 200 * 2 ** (n - 2) * (0.5 + Math.random()));
  const applied: AppliedChange[] = [];

  for (let attempt = 1; ; attempt += 1) {
    try {
      const { noops } = await attemptOnce();
      const allNoops = [...eventNoops, ...noops];
      if (applied.length === 0) {
        await deps.audit.record({
          id: `noop:${eventIds.join(',')}`,
          at: deps.now().toISOString(),
          outcome: 'noop',
          reasons: allNoops.map((n) => `${n.image}:${n.tag}${n.environment ? ` (${n.environment})` : ''}: ${n.reason}`),
          events: eventIds,
          durationMs: deps.now().getTime() - started,
        });
      }
      return { applied, noops: allNoops, attempts: attempt };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= maxAttempts) {
        await notifyFailure(error, attempt);
        throw error;
      }
      deps.log.warn('branch moved; re-planning', { attempt, reason: error.message });
      await deps.sleep(backoff(attempt + 1));
    }
  }

  async function attemptOnce(): Promise<{ noops: readonly NoOp[] }> {
    const config = deps.config;
    // One view per branch per attempt: every file of a branch is read from, and committed onto, the same commit.
    const views = new Map<string, BranchView>();
    const viewFor = async (repository: RepositoryConfig, branch: string, mode: 'commit' | 'pull-request'): Promise<BranchView> => {
      const key = `${repository.name}\u0000${branch}`;
      const known = views.get(key);
      if (known !== undefined) return known;
      const view = await viewOf(repository, branch, mode);
      views.set(key, view);
      return view;
    };
    const files = new Map<string, string | undefined>();
    const fileKey = (repo: string, branch: string, path: string) => `${repo}\u0000${branch}\u0000${path}`;
    const readInto = async (repository: RepositoryConfig, branch: string, mode: 'commit' | 'pull-request', path: string): Promise<void> => {
      const key = fileKey(repository.name, branch, path);
      if (files.has(key)) return;
      const view = await viewFor(repository, branch, mode);
      files.set(key, await (await deps.providerFor(repository)).readFile(view.commit, path));
    };
    // Marker files say which targets exist, so they are read first, from the base branch.
    const markerRepositories = config.repositories.filter(
      (r) => r.markerFiles.length > 0 && updates.some((u) => u.route === undefined || (u.route.repository === r.name && u.route.branch === '*')),
    );
    for (const repository of markerRepositories) {
      for (const path of repository.markerFiles) await readInto(repository, repository.baseBranch, 'commit', path);
    }
    const lookup = (repo: string, branch: string, path: string) => files.get(fileKey(repo, branch, path));
    const targets: ResolvedTarget[] = updates.flatMap((u) => targetsOf(config, u, lookup));
    for (const target of targets) await readInto(target.repository, target.branch, target.mode, target.file);

    const states = await deps.states.get(targets.map((t) => t.key));
    const plan = planPromotions({ config, updates, files: lookup, stateOf: (key) => states.get(key) });

    for (const change of plan.changes) {
      const repository = config.repositories.find((r) => r.name === change.repository) as RepositoryConfig;
      const provider = await deps.providerFor(repository);
      const view = views.get(`${change.repository}\u0000${change.branch}`) as BranchView;
      const changeStarted = deps.now().getTime();
      const commit = await provider.commit({
        branch: change.branch,
        parent: view.commit,
        files: change.files,
        message: change.commitMessage,
        update: view.update,
        startBranch: view.update === 'fast-forward' ? change.branch : change.baseBranch,
      });
      let pullRequest = view.pullRequest;
      if (change.mode === 'pull-request' && pullRequest === undefined && provider.supportsPullRequests) {
        pullRequest = await provider.openPullRequest({
          branch: change.branch,
          base: change.baseBranch,
          title: change.title,
          body: pullRequestBody(change),
          labels: change.labels,
          autoMerge: change.autoMerge,
        });
        for (const warning of pullRequest.warnings ?? []) deps.log.warn('pull request opened with a warning', { url: pullRequest.url, warning });
      }
      for (const promotion of change.promotions) {
        const state = plan.states.get(promotion.targetKey);
        if (state !== undefined) await deps.states.put(promotion.targetKey, state);
      }
      const refreshFailures = change.mode === 'commit' ? await refreshArgo(repository, change) : [];
      const result: AppliedChange = { change, commit: commit.sha, ...(pullRequest ? { pullRequest } : {}), refreshFailures };
      applied.push(result);
      await deps.audit.record({
        id: `${change.repository}:${change.branch}:${commit.sha}`,
        at: deps.now().toISOString(),
        outcome: 'promoted',
        repository: change.repository,
        branch: change.branch,
        commit: commit.sha,
        ...(pullRequest ? { pullRequestUrl: pullRequest.url } : {}),
        promotions: change.promotions.map((p) => ({ ...p })),
        reasons: [...plan.noops.map((n) => n.reason), ...refreshFailures, ...(pullRequest?.warnings ?? [])],
        events: eventIds,
        durationMs: deps.now().getTime() - changeStarted,
      });
      // One message per destination, each with the promotions announced there.
      const destinations = new Map<string, { destination: SlackDestination | undefined; promotions: (typeof change.promotions)[number][] }>();
      for (const promotion of change.promotions) {
        const key = JSON.stringify(promotion.slack ?? null);
        const entry = destinations.get(key) ?? { destination: promotion.slack, promotions: [] };
        entry.promotions.push(promotion);
        destinations.set(key, entry);
      }
      for (const { destination, promotions } of destinations.values()) {
        await notify(promotionMessage({ ...result, change: { ...change, promotions } }, repository, config, plan.noops), destination);
      }
    }
    // States of held targets are saved too, so the hold survives redeliveries.
    for (const [key, state] of plan.states) {
      if (state.heldAbove !== undefined) await deps.states.put(key, state);
    }
    // With a change, its message lists the holds; without one, they get their own.
    const held = plan.noops.filter((n) => n.held === true);
    if (held.length > 0 && plan.changes.length === 0) await notify(heldMessage(held));
    return { noops: plan.noops };
  }

  async function viewOf(repository: RepositoryConfig, branch: string, mode: 'commit' | 'pull-request'): Promise<BranchView> {
    const provider = await deps.providerFor(repository);
    if (mode === 'commit' || branch === repository.baseBranch) {
      const head = await provider.branchHead(branch);
      if (head === undefined) throw new ConflictError(`branch ${branch} of ${repository.name} does not exist`);
      return { commit: head, update: 'fast-forward' };
    }
    const pullRequest = await provider.findOpenPullRequest(branch, repository.baseBranch);
    const branchHead = await provider.branchHead(branch);
    if (pullRequest !== undefined && branchHead !== undefined) return { commit: branchHead, update: 'fast-forward', pullRequest };
    // Without pull requests (plain git) the pushed branch itself is the open proposal.
    if (!provider.supportsPullRequests && branchHead !== undefined) return { commit: branchHead, update: 'fast-forward' };
    const base = await provider.branchHead(repository.baseBranch);
    if (base === undefined) throw new ConflictError(`branch ${repository.baseBranch} of ${repository.name} does not exist`);
    // A branch left over from a merged or closed PR starts again from the base.
    return { commit: base, update: branchHead === undefined ? 'create' : 'reset' };
  }

  async function refreshArgo(repository: RepositoryConfig, change: PlannedChange): Promise<string[]> {
    if (deps.argocd === undefined) return [];
    const argocd = deps.argocd;
    const failures: string[] = [];
    const applications = new Set<string>();
    for (const promotion of change.promotions) {
      const named = promotion.argocdApplications;
      const found = named.length > 0 ? named : await argocd.findApplications(repository.url, promotion.file).catch(() => []);
      for (const app of found) applications.add(app);
    }
    for (const app of applications) {
      let lastError: unknown;
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        try {
          await argocd.refresh(app);
          lastError = undefined;
          break;
        } catch (error) {
          lastError = error;
          await deps.sleep(100 * attempt);
        }
      }
      if (lastError !== undefined) failures.push(`Argo CD refresh of ${app} failed: ${(lastError as Error).message}`);
    }
    return failures;
  }

  async function notify(message: { text: string; blocks: readonly unknown[] }, destination?: SlackDestination): Promise<void> {
    const notifier = deps.notifierFor?.(destination);
    if (notifier === undefined) return;
    try {
      await notifier.notify(message);
    } catch (error) {
      // A lost chat message must not fail a promotion that has landed.
      deps.log.warn('Slack notification failed', { error: String(error) });
    }
  }

  async function notifyFailure(error: unknown, attempts: number): Promise<void> {
    await deps.audit
      .record({
        id: `failed:${eventIds.join(',')}:${attempts}`,
        at: deps.now().toISOString(),
        outcome: 'failed',
        reasons: [String((error as Error).message)],
        events: eventIds,
        durationMs: deps.now().getTime() - started,
      })
      .catch(() => undefined);
    await notify(failureMessage(updates, String((error as Error).message), attempts));
  }
}

function pullRequestBody(change: PlannedChange): string {
  const rows = change.promotions.map((p) => `| ${p.service} | ${p.environment} | \`${p.fromTag ?? '-'}\` | \`${p.toTag}\` | ${p.source} |`);
  return ['Promotion opened by Hoist.', '', '| service | environment | from | to | trigger |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
