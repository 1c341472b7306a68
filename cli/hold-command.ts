import { serviceOf } from '../lambdas/core/config/promotion-config';
import { holdReasonOf } from '../lambdas/core/promotion/decide-target';
import type { TargetHold } from '../lambdas/core/promotion/plan-promotions';
import { configuredTargets, type ResolvedTarget } from '../lambdas/core/promotion/targets';
import type { CliDeps } from '../lambdas/wiring/cli';
import { UsageError } from './cli-io';

export interface HoldRequest {
  readonly service: string;
  readonly environment: string;
  readonly by: string;
  readonly reason?: string;
}

/** What `hold` or `release` did to each target of the service in the environment. */
export interface HoldResult {
  readonly service: string;
  readonly environment: string;
  readonly targets: ReadonlyArray<{
    readonly key: string;
    readonly repository: string;
    readonly file: string;
    /** `held`/`released`: changed now; `unchanged`: it already was (held keeps the earlier hold). */
    readonly result: 'held' | 'released' | 'unchanged';
    readonly hold?: TargetHold;
    /** A revert hold `release` leaves in place: only a newer image lifts it. */
    readonly heldAbove?: string;
  }>;
}

/**
 * Holds every target of a service in one environment: planning makes each
 * a no-op, "held by <who> since <when>: <reason>", until it is released. A
 * target already held keeps its earlier hold.
 */
export async function holdTargets(request: HoldRequest, deps: CliDeps): Promise<HoldResult> {
  const targets = targetsIn(request.service, request.environment, deps);
  const states = await deps.states.get(targets.map((t) => t.key));
  const hold: TargetHold = { by: request.by, at: deps.now().toISOString(), ...(request.reason ? { reason: request.reason } : {}) };
  const results: Array<HoldResult['targets'][number]> = [];
  for (const target of targets) {
    const state = states.get(target.key) ?? {};
    if (state.hold !== undefined) {
      results.push({ key: target.key, repository: target.repository.name, file: target.file, result: 'unchanged', hold: state.hold });
      continue;
    }
    await deps.states.put(target.key, { ...state, hold });
    results.push({ key: target.key, repository: target.repository.name, file: target.file, result: 'held', hold });
  }
  return { service: request.service, environment: request.environment, targets: results };
}

/**
 * Lifts every hold from the targets of a service in one environment: a
 * person's hold, and a revert hold (a rollback, or a tag set back by hand),
 * so the next image moves them again.
 */
export async function releaseTargets(request: Pick<HoldRequest, 'service' | 'environment'>, deps: CliDeps): Promise<HoldResult> {
  const targets = targetsIn(request.service, request.environment, deps);
  const states = await deps.states.get(targets.map((t) => t.key));
  const results: Array<HoldResult['targets'][number]> = [];
  for (const target of targets) {
    const state = states.get(target.key);
    if (state?.hold === undefined && state?.heldAbove === undefined) {
      results.push({ key: target.key, repository: target.repository.name, file: target.file, result: 'unchanged' });
      continue;
    }
    // Without the tag Hoist last wrote, the tag in the file is no revert any more: nothing holds it.
    const { hold: _released, heldAbove: _lifted, lastWrittenTag: _forgotten, ...rest } = state;
    await deps.states.put(target.key, rest);
    results.push({ key: target.key, repository: target.repository.name, file: target.file, result: 'released' });
  }
  return { service: request.service, environment: request.environment, targets: results };
}

/** The configured targets of a service in an environment; none is a usage error naming what there is. */
export function targetsIn(service: string, environment: string, deps: CliDeps): ResolvedTarget[] {
  const images = deps.config.images.filter((image) => serviceOf(image) === service);
  if (images.length === 0) {
    const known = [...new Set(deps.config.images.map(serviceOf))].sort().join(', ');
    throw new UsageError(`no service '${service}' in ${deps.configPath}; services: ${known || 'none'}`);
  }
  // The tag only fills branch templates, which a hold does not use.
  const all = images.flatMap((image) => configuredTargets({ ...deps.config, images: [image] }, image.image, '{newTag}'));
  const targets = all.filter((t) => t.environment === environment);
  if (targets.length === 0) {
    const environments = [...new Set(all.map((t) => t.environment))].sort().join(', ');
    throw new UsageError(`service '${service}' has no target in environment '${environment}'; environments: ${environments}`);
  }
  return targets;
}

/** `hoist hold`/`release` for people: one line per target. */
export function formatHoldResult(result: HoldResult): string {
  return result.targets
    .map((t) => {
      const what = `${result.service} ${result.environment} (${t.repository} ${t.file})`;
      const hold = t.hold ? holdReasonOf(t.hold) : '';
      if (t.result === 'held') return `${what}: ${hold}\n`;
      if (t.result === 'released') return `${what}: released${t.heldAbove ? `; still held by a revert until an image newer than ${t.heldAbove}` : ''}\n`;
      return `${what}: ${t.hold ? `already ${hold}; release it first to hold it anew` : 'not held'}\n`;
    })
    .join('');
}
