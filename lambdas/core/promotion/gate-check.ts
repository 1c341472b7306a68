import * as z from 'zod';
import { type PromotionConfig, secondsOf } from '../config/promotion-config';
import type { ApplicationStatus } from '../ports';
import { activeFreeze } from './freeze-windows';
import type { Promotion } from './plan-promotions';
import { configuredTargets, type ResolvedTarget } from './targets';

const IsoTime = z.iso.datetime({ offset: true });

/**
 * A gate waiting before a chain environment: the environment it follows
 * (`after`) must run `tag` — its Argo CD applications Synced to `revision`
 * and Healthy — for the soak time, before `environment` is promoted. It
 * travels on the gates queue and comes back after each poll's delay.
 */
export const GateCheckSchema = z.object({
  type: z.literal('gate.check'),
  /** `gate:<image>:<tag>:<environment>`: one gate per tag and environment. */
  id: z.string().min(1).max(1024),
  image: z.string().min(1),
  tag: z.string().min(1),
  digest: z.string().optional(),
  pushedAt: IsoTime,
  service: z.string().min(1),
  environment: z.string().min(1),
  after: z.string().min(1),
  /** The GitOps commit that carries the tag in `after`. */
  revision: z.string().regex(/^[0-9a-f]{7,64}$/),
  /** The Argo CD applications of `after`. */
  applications: z.array(z.string().min(1)),
  startedAt: IsoTime,
  /** Not passed by then: failed. */
  deadline: IsoTime,
  /** Since when every application has been Synced to `revision` and Healthy, without a break. */
  healthySince: IsoTime.optional(),
  /** When the freeze window it waits in closes, once people were told. */
  frozenUntil: IsoTime.optional(),
  polls: z.number().int().nonnegative(),
});
export type GateCheck = z.infer<typeof GateCheckSchema>;

/** What one look at a gate decides. */
export type GateDecision =
  | { readonly kind: 'pass'; readonly reason: string }
  | { readonly kind: 'wait'; readonly check: GateCheck; readonly delaySeconds: number; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string };

/** Longest delay SQS gives one message. */
const MAX_DELAY_SECONDS = 900;

/** The chain target a gate stands before, as config has it now. */
export function gateTargetOf(config: PromotionConfig, check: Pick<GateCheck, 'image' | 'tag' | 'environment' | 'after'>): ResolvedTarget | undefined {
  return configuredTargets(config, check.image, check.tag).find((t) => t.environment === check.environment && t.after === check.after);
}

/**
 * The gates a landed change opens: for each promotion into an environment,
 * every environment of the same image that follows it. Each starts now and
 * has until its timeout.
 */
export function gateChecksAfter(config: PromotionConfig, promotions: readonly Promotion[], revision: string, now: Date): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const promotion of promotions) {
    const source = configuredTargets(config, promotion.image, promotion.toTag).find((t) => t.key === promotion.targetKey);
    const followers = configuredTargets(config, promotion.image, promotion.toTag).filter((t) => t.after === promotion.environment);
    for (const follower of followers) {
      const timeout = secondsOf(follower.gate?.timeout ?? '30m');
      checks.push({
        type: 'gate.check',
        id: `gate:${promotion.image}:${promotion.toTag}:${follower.environment}`,
        image: promotion.image,
        tag: promotion.toTag,
        ...(promotion.digest ? { digest: promotion.digest } : {}),
        pushedAt: promotion.pushedAt ?? now.toISOString(),
        service: follower.service,
        environment: follower.environment,
        after: promotion.environment,
        revision,
        applications: [...(source?.argocdApplications ?? [])],
        startedAt: now.toISOString(),
        deadline: new Date(now.getTime() + timeout * 1000).toISOString(),
        polls: 0,
      });
    }
  }
  return checks;
}

/**
 * Decides a gate from what Argo CD reports, as plain data (an application
 * counts as synced at the revision with the tag, or at a later one that
 * still carries it, `carriesTag`): a freeze window
 * of the target environment makes it wait (and moves the deadline past the
 * window); a Degraded application fails it; every application Synced to the
 * revision and Healthy for the soak time passes it; anything else waits,
 * until the deadline, which fails it.
 */
export function decideGate(
  check: GateCheck,
  target: ResolvedTarget | undefined,
  statuses: ReadonlyMap<string, ApplicationStatus | undefined>,
  now: Date,
  /** Revisions other than `check.revision` that carry the tag too (a later commit on the same branch). */
  carriesTag: ReadonlySet<string> = new Set(),
): GateDecision {
  if (target === undefined) return { kind: 'fail', reason: `${check.service} has no environment '${check.environment}' after '${check.after}' any more` };
  const gate = target.gate;
  const every = secondsOf(gate?.every ?? '30s');
  const freeze = activeFreeze(
    target.freeze.map((f) => ({ cron: f.cron, timezone: f.timezone, durationSeconds: secondsOf(f.duration) })),
    now,
  );
  if (freeze !== undefined) {
    const timeout = secondsOf(gate?.timeout ?? '30m') * 1000;
    const deadline = new Date(Math.max(Date.parse(check.deadline), freeze.closes.getTime() + timeout)).toISOString();
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil((freeze.closes.getTime() - now.getTime()) / 1000)));
    const { healthySince: _dropped, ...rest } = check;
    return {
      kind: 'wait',
      check: { ...rest, deadline, frozenUntil: freeze.closes.toISOString(), polls: check.polls + 1 },
      delaySeconds,
      reason: `${check.environment} is frozen until ${freeze.closes.toISOString()} (${freeze.rule.cron} ${freeze.rule.timezone})`,
    };
  }
  if (gate === undefined || !gate.healthy) return { kind: 'pass', reason: `${check.environment} follows ${check.after} without a health gate` };
  if (check.applications.length === 0)
    return { kind: 'fail', reason: `${check.after} names no Argo CD application whose health could let ${check.environment} follow` };

  const problems: string[] = [];
  for (const application of check.applications) {
    const status = statuses.get(application);
    if (status === undefined) return { kind: 'fail', reason: `Argo CD has no application '${application}' (of ${check.after})` };
    if (status.health === 'Degraded') return { kind: 'fail', reason: `${application} is Degraded in ${check.after}; ${check.environment} does not follow` };
    const carried = status.revision !== undefined && (revisionMatches(status.revision, check.revision) || carriesTag.has(status.revision));
    if (status.sync !== 'Synced' || !carried) {
      problems.push(`${application} is ${status.sync}${status.revision ? ` at ${status.revision.slice(0, 8)}` : ''}, not yet at ${check.revision.slice(0, 8)}`);
    } else if (status.health !== 'Healthy') problems.push(`${application} is ${status.health}`);
  }
  const soak = secondsOf(gate.soak);
  if (problems.length === 0) {
    const since = check.healthySince === undefined ? now : new Date(check.healthySince);
    const soaked = (now.getTime() - since.getTime()) / 1000;
    if (soaked >= soak) return { kind: 'pass', reason: `${check.after} synced to ${check.revision.slice(0, 8)} and healthy for ${Math.round(soaked)} s` };
    if (now.getTime() >= Date.parse(check.deadline))
      return { kind: 'fail', reason: `timed out: ${check.after} healthy only ${Math.round(soaked)} s of the ${soak} s soak` };
    return {
      kind: 'wait',
      check: { ...check, healthySince: since.toISOString(), polls: check.polls + 1 },
      delaySeconds: Math.min(every, Math.max(1, Math.ceil(soak - soaked))),
      reason: `${check.after} healthy for ${Math.round(soaked)} s of ${soak} s`,
    };
  }
  if (now.getTime() >= Date.parse(check.deadline)) return { kind: 'fail', reason: `timed out waiting for ${check.after}: ${problems.join('; ')}` };
  // A break in health starts the soak again.
  const { healthySince: _broken, ...rest } = check;
  return { kind: 'wait', check: { ...rest, polls: check.polls + 1 }, delaySeconds: every, reason: problems.join('; ') };
}

/** Argo CD reports the full commit SHA; the gate may hold a full or abbreviated one. */
const revisionMatches = (reported: string | undefined, wanted: string): boolean =>
  reported !== undefined && (reported === wanted || reported.startsWith(wanted) || wanted.startsWith(reported));
