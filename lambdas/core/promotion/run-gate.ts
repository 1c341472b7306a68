import type { PromotionConfig, RepositoryConfig, SlackDestination } from '../config/promotion-config';
import type { GatePassed } from '../events';
import { buildEnvelopes } from '../intake/enqueue-once';
import type { ApplicationStatus, ArgoCdRefresher, AuditLog, EventQueue, GateScheduler, GitProvider, Notifier, TargetStateStore, WarningLog } from '../ports';
import { currentVersionOf } from '../yaml/image-sites';
import { sitesOf } from './decide-target';
import { decideGate, type GateCheck, type GateDecision, gateTargetOf } from './gate-check';
import { configuredTargets } from './targets';
import { workOf } from './triggers';

export interface GateDeps {
  readonly config: PromotionConfig;
  /** Reads the file of the environment a gate follows at the revision Argo CD runs. @default not asked: only the exact revision counts */
  readonly providerFor?: (repository: RepositoryConfig) => Promise<GitProvider>;
  /** Where application health is read; without it a health gate cannot pass. */
  readonly argocd?: ArgoCdRefresher;
  /** The event queue: a passed gate queues the promotion of its environment. */
  readonly queue: EventQueue;
  readonly gates: GateScheduler;
  /** Where a waiting gate is shown on its target (for `hoist status`). @default not shown */
  readonly states?: TargetStateStore;
  readonly audit: AuditLog;
  readonly notifierFor?: (destination: SlackDestination | undefined) => Notifier | undefined;
  readonly log: WarningLog;
  readonly now: () => Date;
}

/**
 * Looks at one gate: reads the health of the applications of the
 * environment it follows, decides (gate-check.ts), and acts: a pass queues
 * the promotion of the next environment, a wait puts the check back on the
 * gates queue with its delay (no sleeping function), a failure is written
 * to the audit trail and told in Slack, with its reason. An Argo CD that
 * cannot be reached throws, for the gates queue to retry.
 */
export async function runGateCheck(check: GateCheck, deps: GateDeps): Promise<GateDecision> {
  const now = deps.now();
  const target = gateTargetOf(deps.config, check);
  const statuses = new Map<string, ApplicationStatus | undefined>();
  const needsHealth = target?.gate?.healthy === true && check.applications.length > 0;
  if (needsHealth && deps.argocd !== undefined) {
    for (const application of check.applications) statuses.set(application, await deps.argocd.applicationStatus(application));
  }
  const carriesTag = await revisionsCarryingTag(check, statuses, deps);
  const decision =
    needsHealth && deps.argocd === undefined
      ? ({ kind: 'fail', reason: `no Argo CD is configured (argocd.url), so the health of ${check.after} cannot be read` } as const)
      : decideGate(check, target, statuses, now, carriesTag);
  await showOnTarget(check, decision, target?.key, deps);
  switch (decision.kind) {
    case 'wait':
      await deps.gates.schedule(decision.check, decision.delaySeconds);
      // A freeze window is told once per window: the promotion waits, and people should know why.
      if (decision.check.frozenUntil !== undefined && decision.check.frozenUntil !== check.frozenUntil) {
        await deps.audit.record({
          id: `${check.id}:frozen:${decision.check.frozenUntil}`,
          at: now.toISOString(),
          outcome: 'noop',
          reasons: [decision.reason],
          events: [check.id],
          durationMs: now.getTime() - Date.parse(check.startedAt),
        });
        await deps
          .notifierFor?.(target?.slack)
          ?.notify({ kind: 'gate-frozen', service: check.service, environment: check.environment, after: check.after, tag: check.tag, reason: decision.reason })
          .catch((error: unknown) => deps.log.warn('Slack message not sent', { error: (error as Error).message }));
      }
      break;
    case 'pass': {
      const [registry, ...path] = check.image.split('/');
      const event: GatePassed = {
        type: 'gate.passed',
        registry: registry ?? '',
        repository: path.join('/'),
        tag: check.tag,
        ...(check.digest ? { digest: check.digest } : {}),
        pushedAt: check.pushedAt,
        service: check.service,
        environment: check.environment,
        after: check.after,
        revision: check.revision,
        passedAt: now.toISOString(),
      };
      // The gate's id is the delivery id: a redelivered pass is the same envelope, which the FIFO queue drops.
      const { envelopes, ignored } = buildEnvelopes('gate', check.id, now, [event], (e) => workOf(deps.config, e));
      if (envelopes.length > 0) await deps.queue.enqueue(envelopes);
      for (const reason of ignored) deps.log.warn('passed gate promotes nothing', { gate: check.id, reason });
      await deps.audit.record({
        id: `${check.id}:passed`,
        at: now.toISOString(),
        outcome: 'gate-passed',
        reasons: [decision.reason],
        events: [check.id],
        durationMs: now.getTime() - Date.parse(check.startedAt),
      });
      break;
    }
    case 'fail': {
      await deps.audit.record({
        id: `${check.id}:failed`,
        at: now.toISOString(),
        outcome: 'gate-failed',
        reasons: [decision.reason],
        events: [check.id],
        durationMs: now.getTime() - Date.parse(check.startedAt),
      });
      const notifier = deps.notifierFor?.(target?.slack);
      await notifier
        ?.notify({ kind: 'gate-failed', service: check.service, environment: check.environment, after: check.after, tag: check.tag, reason: decision.reason })
        .catch((error: unknown) => deps.log.warn('Slack message not sent', { error: (error as Error).message }));
      break;
    }
  }
  return decision;
}

/**
 * The revisions Argo CD reports other than the gate's own that still carry
 * its tag: a later commit on the branch (another service's bump) is synced
 * past the one that brought the tag, and runs it all the same. Read from the
 * file of the environment the gate follows, at each such revision.
 */
async function revisionsCarryingTag(check: GateCheck, statuses: ReadonlyMap<string, ApplicationStatus | undefined>, deps: GateDeps): Promise<Set<string>> {
  const carrying = new Set<string>();
  const source = configuredTargets(deps.config, check.image, check.tag).find((t) => t.environment === check.after);
  if (deps.providerFor === undefined || source === undefined) return carrying;
  const others = new Set([...statuses.values()].flatMap((s) => (s?.revision !== undefined && !s.revision.startsWith(check.revision) ? [s.revision] : [])));
  if (others.size === 0) return carrying;
  const provider = await deps.providerFor(source.repository);
  // Argo CD runs the branch's head or one before it: a look at the head lets a provider that fetches (plain git) know it.
  await provider.branchHead(source.branch).catch(() => undefined);
  for (const revision of others) {
    const text = await provider.readFile(revision, source.file).catch(() => undefined);
    if (text === undefined) continue;
    try {
      const [site] = sitesOf(source, text);
      if (site !== undefined && currentVersionOf(site).tag === check.tag) carrying.add(revision);
    } catch {
      // Not YAML at that revision: it does not carry the tag.
    }
  }
  return carrying;
}

/** Keeps the gate's latest look on the target it stands before, and clears it once the gate is decided. */
async function showOnTarget(check: GateCheck, decision: GateDecision, key: string | undefined, deps: GateDeps): Promise<void> {
  if (deps.states === undefined || key === undefined) return;
  try {
    const state = (await deps.states.get([key])).get(key) ?? {};
    const { gate: _earlier, ...rest } = state;
    const gate =
      decision.kind === 'wait'
        ? { tag: check.tag, after: check.after, since: check.startedAt, checkedAt: deps.now().toISOString(), reason: decision.reason }
        : undefined;
    await deps.states.put(key, gate === undefined ? rest : { ...rest, gate });
  } catch (error) {
    // Shown for people only: the gate itself goes on.
    deps.log.warn('gate not shown on its target', { gate: check.id, error: (error as Error).message });
  }
}
