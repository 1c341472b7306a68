import { RetryLaterError, TerminalError } from '../../shared/errors';
import type { PromotionConfig, RepositoryConfig } from '../config/promotion-config';
import type { ApprovalDecided, EventEnvelope } from '../events';
import type { ApprovalMessages, ApprovalOutcome, AuditLog, GitProvider, TargetStateStore, WarningLog } from '../ports';
import type { AppliedChange } from './apply-plan';
import { configuredTargets } from './targets';

export interface ApprovalDeps {
  readonly config: PromotionConfig;
  /** Where the approval message of a waiting target is kept, to update it when a person merges by hand. */
  readonly states?: TargetStateStore;
  readonly providerFor: (repository: RepositoryConfig) => Promise<GitProvider>;
  readonly audit: AuditLog;
  /** Slack's approval messages; without it nothing asks for or records a decision there. */
  readonly approvals?: ApprovalMessages;
  readonly log: WarningLog;
  readonly now: () => Date;
}

/** A decision that could not be carried out, and why. */
export interface DecisionFailure {
  readonly reason: string;
  readonly envelopeIds: readonly string[];
}

/**
 * Carries out people's decisions from Slack: Approve merges the PR/MR at the
 * head the message showed (the host refuses failing checks; pending checks
 * come back later through the queue), Reject closes it with a comment. Each
 * outcome updates the message and is written to the audit trail. A PR that
 * moved since the message, or is closed, is refused with the reason.
 */
export async function decideApprovals(envelopes: readonly EventEnvelope[], deps: ApprovalDeps): Promise<DecisionFailure[]> {
  const failures: DecisionFailure[] = [];
  for (const envelope of envelopes) {
    if (envelope.event.type !== 'approval.decided') continue;
    const event = envelope.event;
    const at = deps.now().toISOString();
    const by = event.user.name || event.user.id;
    const refuse = async (reason: string) => {
      failures.push({ reason, envelopeIds: [envelope.id] });
      await tell(event, { kind: 'refused', by, at, reason }, deps);
      await deps.audit.record({
        id: envelope.id,
        at,
        outcome: 'failed',
        repository: event.repository,
        reasons: [reason],
        events: [envelope.id],
        durationMs: 0,
      });
    };
    const repository = deps.config.repositories.find((r) => r.name === event.repository);
    if (repository === undefined) {
      await refuse(`no GitOps repository named '${event.repository}' in hoist.config.yaml`);
      continue;
    }
    const provider = await deps.providerFor(repository);
    const status = await provider.pullRequestStatus(event.number);
    if (status === undefined) {
      await refuse(`${repository.name} has no pull request #${event.number}`);
      continue;
    }
    if (event.decision === 'reject') {
      if (status.state === 'open') await provider.closePullRequest(event.number, `Rejected in Slack by ${by}.`);
      await tell(event, { kind: 'closed', by, at }, deps);
      await deps.states?.put(approvalKeyOf(repository.name, event.number), {});
      await deps.audit.record({
        id: envelope.id,
        at,
        outcome: 'rejected',
        repository: repository.name,
        pullRequestUrl: status.url,
        reasons: [`rejected by ${by}`],
        events: [envelope.id],
        durationMs: 0,
      });
      continue;
    }
    if (status.state === 'merged') {
      await tell(event, { kind: 'merged', by, at, commit: status.mergeCommit ?? status.head }, deps);
      continue;
    }
    if (status.state === 'closed') {
      await refuse(`#${event.number} is closed; nothing to merge`);
      continue;
    }
    if (status.head !== event.head) {
      await refuse(`#${event.number} moved to ${status.head.slice(0, 8)} since this message (${event.head.slice(0, 8)}); approve the newer message`);
      continue;
    }
    try {
      const merged = await provider.mergePullRequest({
        number: event.number,
        expectedHead: event.head,
        message: `Merge #${event.number}: approved by ${by} in Slack`,
      });
      await tell(event, { kind: 'merged', by, at, commit: merged.sha }, deps);
      // Decided in Slack: the host's merge event that follows leaves the message as it is now.
      await deps.states?.put(approvalKeyOf(repository.name, event.number), {});
      await deps.audit.record({
        id: envelope.id,
        at,
        outcome: 'approved',
        repository: repository.name,
        branch: repository.baseBranch,
        commit: merged.sha,
        pullRequestUrl: status.url,
        reasons: [`approved by ${by}`],
        events: [envelope.id],
        durationMs: 0,
      });
    } catch (error) {
      // Checks still running: the queue brings the decision back.
      if (error instanceof RetryLaterError) throw error;
      if (error instanceof TerminalError) await refuse((error as Error).message);
      else throw error;
    }
  }
  return failures;
}

/**
 * Posts an approval message for each landed PR/MR change that promotes into
 * an environment that waits for approval.
 */
export async function requestApprovals(applied: readonly AppliedChange[], deps: ApprovalDeps): Promise<void> {
  if (deps.approvals === undefined) return;
  for (const change of applied) {
    const pullRequest = change.pullRequest;
    if (change.change.mode !== 'pull-request' || pullRequest === undefined) continue;
    const waiting = change.change.promotions.filter((p) =>
      configuredTargets(deps.config, p.image, p.toTag).some((t) => t.key === p.targetKey && t.approval === 'slack'),
    );
    if (waiting.length === 0) continue;
    try {
      const message = await deps.approvals.post({
        repository: change.change.repository,
        number: pullRequest.number,
        url: pullRequest.url,
        head: change.commit,
        promotions: waiting.map((p) => ({ service: p.service, environment: p.environment, ...(p.fromTag ? { fromTag: p.fromTag } : {}), toTag: p.toTag })),
      });
      // Kept per PR/MR: a merge by hand updates the message too.
      await deps.states?.put(approvalKeyOf(change.change.repository, pullRequest.number), {
        approvalMessage: { number: pullRequest.number, channel: message.channel, ts: message.ts },
      });
    } catch (error) {
      deps.log.warn('approval message not posted', { pullRequest: pullRequest.url, error: (error as Error).message });
    }
  }
}

/** Where the approval message of a PR/MR is kept in the target state store. */
export const approvalKeyOf = (repository: string, number: number): string => `approval:${repository}#${number}`;

/**
 * A PR/MR a person merged on the host, not through Slack: its approval
 * message says so, like an approval, and asks no more.
 */
export async function recordMergedByHand(
  merged: { readonly repository: string; readonly number: number; readonly mergedBy: string; readonly mergeCommit?: string },
  deps: ApprovalDeps,
): Promise<void> {
  if (deps.approvals === undefined || deps.states === undefined) return;
  const key = approvalKeyOf(merged.repository, merged.number);
  const message = (await deps.states.get([key])).get(key)?.approvalMessage;
  if (message === undefined) return;
  await deps.approvals
    .update(
      { channel: message.channel, ts: message.ts },
      { repository: merged.repository, number: merged.number },
      { kind: 'merged', by: `${merged.mergedBy} (on the host)`, at: deps.now().toISOString(), commit: merged.mergeCommit ?? '' },
    )
    .catch((error: unknown) => deps.log.warn('approval message not updated', { error: (error as Error).message }));
  await deps.states.put(key, {});
}

async function tell(event: ApprovalDecided, outcome: ApprovalOutcome, deps: ApprovalDeps): Promise<void> {
  await deps.approvals
    ?.update(event.message, { repository: event.repository, number: event.number }, outcome)
    .catch((error: unknown) => deps.log.warn('approval message not updated', { error: (error as Error).message }));
}
