import type { PromotionConfig, RepositoryConfig, SlackDestination } from '../config/promotion-config';
import type { ArgoCdRefresher, AuditLog, Notifier, WarningLog } from '../ports';
import { type AppliedChange, repositoryOf } from './apply-plan';
import type { FailedTarget, NoOp, PlannedChange, Promotion } from './plan-promotions';
import type { PromotionNotice } from './promotion-notice';

export interface AnnounceDeps {
  readonly config: PromotionConfig;
  readonly audit: AuditLog;
  readonly argocd?: ArgoCdRefresher;
  /** The notifier of a destination; `undefined` asks for the default one. None: nobody is told. */
  readonly notifierFor?: (destination: SlackDestination | undefined) => Notifier | undefined;
  readonly log: WarningLog;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/** A change as it was announced: with the Argo CD refreshes that failed. */
export interface AnnouncedChange extends AppliedChange {
  readonly refreshFailures: readonly string[];
}

export interface BatchOutcome {
  readonly applied: readonly AppliedChange[];
  readonly noops: readonly NoOp[];
  readonly failures: readonly FailedTarget[];
  readonly eventIds: readonly string[];
  readonly startedAt: number;
}

/**
 * Tells the world what a batch did: refreshes Argo CD for what landed on a
 * base branch (a failed refresh is reported, never undone), writes the audit
 * records, and sends one notice per destination. Nothing here throws for a
 * lost chat message.
 */
export async function announce(outcome: BatchOutcome, deps: AnnounceDeps): Promise<AnnouncedChange[]> {
  const announced: AnnouncedChange[] = [];
  const held = outcome.noops.filter((n) => n.held === true);
  for (const applied of outcome.applied) {
    const repository = repositoryOf(deps.config, applied.change.repository);
    const { applications, failures: refreshFailures } =
      applied.change.mode === 'commit' ? await refreshArgo(repository, applied.change, deps) : { applications: [], failures: [] };
    announced.push({ ...applied, refreshFailures });
    const warnings = [...refreshFailures, ...(applied.pullRequest?.warnings ?? [])];
    await deps.audit.record({
      id: `${applied.change.repository}:${applied.change.branch}:${applied.commit}`,
      at: deps.now().toISOString(),
      outcome: 'promoted',
      repository: applied.change.repository,
      branch: applied.change.branch,
      commit: applied.commit,
      ...(applied.pullRequest ? { pullRequestUrl: applied.pullRequest.url } : {}),
      promotions: applied.change.promotions.map((p) => ({ ...p })),
      reasons: [...outcome.noops.map((n) => n.reason), ...warnings],
      events: outcome.eventIds,
      durationMs: deps.now().getTime() - outcome.startedAt,
    });
    // One notice per destination, each with the promotions announced there.
    for (const [destination, promotions] of byDestination(applied.change.promotions)) {
      await notify(deps, destination, {
        kind: 'promoted',
        repository: applied.change.repository,
        branch: applied.change.branch,
        commit: applied.commit,
        ...(applied.commitUrl ? { commitUrl: applied.commitUrl } : {}),
        ...(applied.pullRequest ? { pullRequest: { number: applied.pullRequest.number, url: applied.pullRequest.url } } : {}),
        promotions,
        ...(deps.config.argocd.url && applications.length > 0 ? { argocd: { url: deps.config.argocd.url, applications } } : {}),
        warnings,
        held,
      });
    }
  }
  if (outcome.applied.length === 0 && outcome.failures.length === 0) {
    await deps.audit.record({
      id: `noop:${outcome.eventIds.join(',')}`,
      at: deps.now().toISOString(),
      outcome: 'noop',
      reasons: outcome.noops.map((n) => `${n.image}:${n.tag}${n.environment ? ` (${n.environment})` : ''}: ${n.reason}`),
      events: outcome.eventIds,
      durationMs: deps.now().getTime() - outcome.startedAt,
    });
  }
  // With a change, its notice lists the holds; without one, they get their own.
  if (held.length > 0 && outcome.applied.length === 0) await notify(deps, undefined, { kind: 'held', held });
  if (outcome.failures.length > 0) await announceFailure(outcome.failures, outcome.eventIds, deps, { attempts: 1, final: true, startedAt: outcome.startedAt });
  return announced;
}

/** Records and tells a failure: of some targets (final), or of a whole batch (final when no retry can help). */
export async function announceFailure(
  failures: readonly FailedTarget[],
  eventIds: readonly string[],
  deps: AnnounceDeps,
  how: { readonly attempts: number; readonly final: boolean; readonly startedAt: number },
): Promise<void> {
  const reason = failures.map((f) => (f.environment ? `${f.environment} ${f.image}:${f.tag}: ${f.reason}` : `${f.image}:${f.tag}: ${f.reason}`)).join('; ');
  await deps.audit
    .record({
      id: `failed:${eventIds.join(',')}:${how.attempts}`,
      at: deps.now().toISOString(),
      outcome: 'failed',
      reasons: failures.map((f) => f.reason),
      events: eventIds,
      durationMs: deps.now().getTime() - how.startedAt,
    })
    .catch((error: unknown) => deps.log.warn('could not write the failure audit record', { error: String(error) }));
  const images = [...new Set(failures.map((f) => (f.image ? `${f.image}:${f.tag}` : '')).filter((i) => i !== ''))];
  await notify(deps, undefined, { kind: 'failed', images, reason, attempts: how.attempts, final: how.final, targets: failures });
}

function byDestination(promotions: readonly Promotion[]): Map<SlackDestination | undefined, Promotion[]> {
  const keyed = new Map<string, { destination: SlackDestination | undefined; promotions: Promotion[] }>();
  for (const promotion of promotions) {
    const key = JSON.stringify(promotion.slack ?? null);
    const entry = keyed.get(key) ?? { destination: promotion.slack, promotions: [] };
    entry.promotions.push(promotion);
    keyed.set(key, entry);
  }
  return new Map([...keyed.values()].map((e) => [e.destination, e.promotions]));
}

async function refreshArgo(repository: RepositoryConfig, change: PlannedChange, deps: AnnounceDeps): Promise<{ applications: string[]; failures: string[] }> {
  const argocd = deps.argocd;
  if (argocd === undefined) return { applications: [], failures: [] };
  const failures: string[] = [];
  const applications = new Set<string>();
  for (const promotion of change.promotions) {
    const named = promotion.argocdApplications;
    let found: readonly string[] = named;
    if (named.length === 0) {
      try {
        found = await argocd.findApplications(repository.url, promotion.file);
      } catch (error) {
        failures.push(`could not list Argo CD applications for ${promotion.file}: ${(error as Error).message}`);
        found = [];
      }
    }
    for (const app of found) applications.add(app);
  }
  failures.push(...(await refreshApplications(argocd, [...applications], deps.sleep)));
  return { applications: [...applications], failures };
}

/** Refreshes each application, three tries each; answers what still failed. A failed refresh never undoes anything. */
export async function refreshApplications(argocd: ArgoCdRefresher, applications: readonly string[], sleep: (ms: number) => Promise<void>): Promise<string[]> {
  const failures: string[] = [];
  for (const app of applications) {
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        await argocd.refresh(app);
        lastError = undefined;
        break;
      } catch (error) {
        lastError = error;
        if (attempt < 3) await sleep(100 * attempt);
      }
    }
    if (lastError !== undefined) failures.push(`Argo CD refresh of ${app} failed: ${(lastError as Error).message}`);
  }
  return failures;
}

export async function notify(deps: AnnounceDeps, destination: SlackDestination | undefined, notice: PromotionNotice): Promise<void> {
  const notifier = deps.notifierFor?.(destination);
  if (notifier === undefined) return;
  try {
    await notifier.notify(notice);
  } catch (error) {
    // A lost chat message must not fail a promotion that has landed.
    deps.log.warn('notification failed', { error: (error as Error).message });
  }
}
