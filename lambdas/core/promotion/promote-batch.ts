import { ConflictError, TerminalError } from '../../shared/errors';
import { secondsOf } from '../config/promotion-config';
import type { EventEnvelope } from '../events';
import type { ApprovalMessages, CommitHistory, GateScheduler, ImageRegistry, PromotionOutcomeStore, RegistryPushTimes, TagHistory } from '../ports';
import { type AnnounceDeps, type AnnouncedChange, announce, announceFailure } from './announce';
import { type AppliedChange, type ApplyDeps, applyPlan } from './apply-plan';
import { decideApprovals, recordMergedByHand, requestApprovals } from './decide-approvals';
import { gateChecksAfter, gateTargetOf } from './gate-check';
import { type FailedTarget, type NoOp, type PromotionPlan, planPromotions } from './plan-promotions';
import { branchKey, fileKey, type ReadDeps, readWorkspace, relationKey, tagKey, type Workspace } from './read-workspace';
import { recordOutcomes } from './record-outcomes';
import { relayGitopsChanges } from './relay-gitops-change';
import { configuredTargets } from './targets';
import { batchWorkOf } from './triggers';
import { verifyUpdates } from './verify-updates';

export interface PromoteDeps extends ReadDeps, ApplyDeps, AnnounceDeps {
  /** Slack's approval messages, for environments that wait for a person. */
  readonly approvals?: ApprovalMessages;
  readonly tagHistory?: TagHistory;
  readonly registry?: RegistryPushTimes;
  /** Where Git hosts are asked whether one build's commit descends from another's. */
  readonly commitHistory?: CommitHistory;
  /** Where `POST /promotions` requesters find how their request ended. */
  readonly outcomes?: PromotionOutcomeStore;
  /** Where tags announced by Git hosts are looked up before they are written. */
  readonly imageRegistry?: ImageRegistry;
  /** Where the gates of environments that follow another wait; without it nothing follows. */
  readonly gates?: GateScheduler;
  /** Attempts when a branch moves under us. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff before attempt n (2-based). @default 200 ms · 2^(n-2), with jitter */
  readonly backoffMs?: (attempt: number) => number;
}

export interface BatchResult {
  readonly applied: readonly AnnouncedChange[];
  readonly noops: readonly NoOp[];
  /** Targets that failed for good (a broken file …), each with its reason and the envelopes it came from. */
  readonly failures: readonly FailedTarget[];
  readonly attempts: number;
}

/**
 * Promotes the images of a batch of queued envelopes in four steps:
 * read the workspace, plan (pure), apply, announce. A branch that moved
 * under us means read, plan and apply again, with backoff; what landed in
 * an earlier attempt plans as "already at", so nothing is applied twice.
 * Failures of single targets are part of the result; a batch-wide error
 * (a host's refusal, a conflict after the last attempt) is recorded, told,
 * and thrown: a TerminalError is final, anything else is for the queue to retry.
 */
export async function promoteBatch(envelopes: readonly EventEnvelope[], deps: PromoteDeps): Promise<BatchResult> {
  const startedAt = deps.now().getTime();
  // People's decisions in Slack: merge or close; each outcome is told and audited, none is planned.
  const decisions = envelopes.filter((e) => e.event.type === 'approval.decided');
  if (decisions.length > 0) {
    for (const refusal of await decideApprovals(decisions, deps))
      deps.log.warn('approval not carried out', { reason: refusal.reason, envelopes: refusal.envelopeIds });
    if (decisions.length === envelopes.length) return { applied: [], noops: [], failures: [], attempts: 0 };
  }
  const work = batchWorkOf(deps.config, envelopes);
  const eventNoops = work.noops;
  const eventIds = envelopes.map((e) => e.id);
  // Pushes to GitOps repositories and merged Hoist PRs: Argo CD and Slack, nothing to commit.
  if (work.relays.length > 0) {
    for (const failure of await relayGitopsChanges(work.relays, deps)) deps.log.warn('relay of a GitOps change incomplete', { failure });
    // A Hoist PR/MR a person merged on the host: its approval message says so, as after an approval.
    for (const relay of work.relays) {
      const event = relay.event;
      if (event.type !== 'change.merged') continue;
      const repository = relay.route?.repository;
      if (repository === undefined) continue;
      await recordMergedByHand(
        { repository, number: event.number, mergedBy: event.mergedBy, ...(event.mergeCommitSha ? { mergeCommit: event.mergeCommitSha } : {}) },
        deps,
      );
      await openGatesOfMerged(repository, event.number, event.mergeCommitSha, deps);
    }
    // Each relay wrote its own audit record; there is nothing to plan.
    if (work.updates.length === 0 && work.noops.length === 0) return { applied: [], noops: [], failures: [], attempts: 0 };
  }
  // Builds announced by Git hosts are written only once their tag is in the registry (or the wait is over).
  const verified = await verifyUpdates(work.updates, deps);
  const updates = verified.updates;
  const maxAttempts = deps.maxAttempts ?? 5;
  const backoff = deps.backoffMs ?? ((n: number) => 200 * 2 ** (n - 2) * (0.5 + Math.random()));
  // Every tag Hoist sees is remembered with its push time: it orders tags that carry no order themselves.
  if (updates.length > 0) await deps.tagHistory?.record(updates.map((u) => ({ image: u.image, tag: u.tag, pushedAt: u.pushedAt })));

  const applied: AppliedChange[] = [];
  for (let attempt = 1; ; attempt += 1) {
    let plan: PromotionPlan;
    let workspace: Workspace;
    try {
      workspace = await readWorkspace(updates, deps);
      plan = planPromotions({
        config: deps.config,
        updates,
        fileOf: (repo, branch, path) => workspace.files.get(fileKey(repo, branch, path)) ?? { kind: 'missing' },
        stateOf: (key) => workspace.states.get(key),
        pushedAtOf: pushedAtIn(workspace),
        relationOf: (image, currentTag, newTag) => workspace.commitRelations.get(relationKey(image, currentTag, newTag)),
        yaml: workspace.yaml,
      });
      await applyPlan(plan, workspace, deps, (change) => applied.push(change));
    } catch (error) {
      if (error instanceof ConflictError && attempt < maxAttempts) {
        deps.log.warn('branch moved; reading and planning again', { attempt, reason: error.message });
        await deps.sleep(backoff(attempt + 1));
        continue;
      }
      // What landed before the failure is announced all the same.
      if (applied.length > 0) {
        await announce({ applied, noops: [], failures: [], eventIds, startedAt }, deps).catch((announceError: unknown) =>
          deps.log.warn('could not announce what landed before a failure', { error: (announceError as Error).message }),
        );
      }
      const reason = (error as Error).message;
      if (error instanceof TerminalError && deps.outcomes !== undefined) {
        const failedAll = updates.map((u) => ({ image: u.image, tag: u.tag, reason, envelopeIds: [u.envelopeId] }));
        await recordOutcomes(envelopes, { applied: [], noops: [], failures: failedAll }, deps.outcomes, deps.now()).catch(() => undefined);
      }
      const failed: FailedTarget[] = updates.map((u) => ({ image: u.image, tag: u.tag, reason, envelopeIds: [u.envelopeId] }));
      await announceFailure(failed.length > 0 ? failed : [{ image: '', tag: '', reason, envelopeIds: eventIds }], eventIds, deps, {
        attempts: attempt,
        final: error instanceof TerminalError,
        startedAt,
      });
      throw error;
    }
    // Targets that landed in an earlier attempt plan as "already at" now: that is not news.
    const landedKeys = new Set(applied.flatMap((a) => a.change.promotions.map((p) => p.targetKey)));
    const noops = [...eventNoops, ...plan.noops.filter((n) => n.targetKey === undefined || !landedKeys.has(n.targetKey))];
    const failures = [...verified.failures, ...plan.failures];
    const announced = await announce({ applied, noops, failures, eventIds, startedAt }, deps);
    if (deps.outcomes !== undefined) await recordOutcomes(envelopes, { applied: announced, noops, failures }, deps.outcomes, deps.now());
    await openGates(applied, deps);
    // A target found at its tag already may have landed in an attempt whose gates were never opened (a failure after
    // the commit): open them again from the branch as read. A gate opened twice passes once; its promotion is idempotent.
    await reopenGates(plan.noops, workspace, deps);
    await requestApprovals(applied, deps);
    return { applied: announced, noops, failures, attempts: attempt };
  }
}

/**
 * The environments that follow one that just got a commit start waiting on
 * their gates: each gate's first look comes after its poll interval (or at
 * once, without a health gate). A change that is a PR/MR has not landed yet.
 */
async function openGates(applied: readonly AppliedChange[], deps: PromoteDeps): Promise<void> {
  if (deps.gates === undefined) return;
  // A PR/MR lands when it is merged: what it promotes is kept until then, if anything follows it.
  for (const change of applied.filter((a) => a.change.mode === 'pull-request' && a.pullRequest !== undefined)) {
    const promotions = change.change.promotions.filter((p) => configuredTargets(deps.config, p.image, p.toTag).some((t) => t.after === p.environment));
    if (promotions.length === 0 || change.pullRequest === undefined) continue;
    await deps.states.put(proposalKeyOf(change.change.repository, change.pullRequest.number), {
      proposal: {
        promotions: promotions.map((p) => ({
          targetKey: p.targetKey,
          image: p.image,
          service: p.service,
          environment: p.environment,
          file: p.file,
          toTag: p.toTag,
          ...(p.digest ? { digest: p.digest } : {}),
          ...(p.pushedAt ? { pushedAt: p.pushedAt } : {}),
        })),
      },
    });
  }
  for (const change of applied.filter((a) => a.change.mode === 'commit')) {
    for (const check of gateChecksAfter(deps.config, change.change.promotions, change.commit, deps.now())) {
      const target = gateTargetOf(deps.config, check);
      const delay = target?.gate?.healthy === true ? secondsOf(target.gate.every) : 0;
      await deps.gates.schedule(check, delay);
    }
  }
}

/** Where what an open PR/MR promotes is kept, by repository and number. */
const proposalKeyOf = (repository: string, number: number): string => `proposal:${repository}#${number}`;

/** A merged PR/MR has landed: the environments that follow the ones it promoted start waiting on their gates. */
async function openGatesOfMerged(repository: string, number: number, mergeCommit: string | undefined, deps: PromoteDeps): Promise<void> {
  if (deps.gates === undefined) return;
  const key = proposalKeyOf(repository, number);
  const proposal = (await deps.states.get([key])).get(key)?.proposal;
  if (proposal === undefined) return;
  if (mergeCommit === undefined) {
    deps.log.warn('a merged pull request without its merge commit opens no gate', { repository, number });
    return;
  }
  const promotions = proposal.promotions.map((p) => ({ ...p, source: `#${number}`, argocdApplications: [], envelopeIds: [] }));
  for (const check of gateChecksAfter(deps.config, promotions, mergeCommit, deps.now())) {
    const target = gateTargetOf(deps.config, check);
    await deps.gates.schedule(check, target?.gate?.healthy === true ? secondsOf(target.gate.every) : 0);
  }
  await deps.states.put(key, {});
}

async function reopenGates(noops: readonly NoOp[], workspace: Workspace, deps: PromoteDeps): Promise<void> {
  if (deps.gates === undefined) return;
  for (const noop of noops.filter((n) => n.atTag === true && n.targetKey !== undefined)) {
    const target = configuredTargets(deps.config, noop.image, noop.tag).find((t) => t.key === noop.targetKey);
    if (target === undefined || target.mode !== 'commit') continue;
    if (!configuredTargets(deps.config, noop.image, noop.tag).some((t) => t.after === target.environment)) continue;
    const view = workspace.views.get(branchKey(target.repository.name, target.branch));
    if (view === undefined) continue;
    const promotion = {
      targetKey: target.key,
      image: noop.image,
      service: target.service,
      environment: target.environment,
      file: target.file,
      toTag: noop.tag,
      source: 'reopened',
      argocdApplications: target.argocdApplications,
      envelopeIds: noop.envelopeIds,
    };
    for (const check of gateChecksAfter(deps.config, [promotion], view.commit, deps.now())) {
      const gateTarget = gateTargetOf(deps.config, check);
      await deps.gates.schedule(check, gateTarget?.gate?.healthy === true ? secondsOf(gateTarget.gate.every) : 0);
    }
  }
}

const pushedAtIn =
  (workspace: Workspace) =>
  (image: string, tag: string): string | undefined =>
    workspace.pushTimes.get(tagKey(image, tag));
