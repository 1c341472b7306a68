import { serviceOf } from '../lambdas/core/config/promotion-config';
import { holdReasonOf, sitesOf } from '../lambdas/core/promotion/decide-target';
import type { GateWait, TargetHold } from '../lambdas/core/promotion/plan-promotions';
import { viewOf } from '../lambdas/core/promotion/read-workspace';
import { configuredTargets, type ResolvedTarget } from '../lambdas/core/promotion/targets';
import { currentVersionOf } from '../lambdas/core/yaml/image-sites';
import type { CliDeps } from '../lambdas/wiring/cli';
import { formatTable, type Styles, UsageError } from './cli-io';

/** One target as it stands. */
export interface TargetStatus {
  readonly service: string;
  readonly environment: string;
  readonly image: string;
  readonly repository: string;
  readonly file: string;
  readonly mode: 'commit' | 'pull-request';
  /** The tag in the file on the base branch; absent when the file or its image field is not there. */
  readonly tag?: string;
  /** The tag on the open PR/MR's branch (or the pushed branch, on plain git), when there is one. */
  readonly proposed?: { readonly tag?: string; readonly branch: string; readonly url?: string; readonly number?: number };
  /** Why the tag could not be read, when it could not. */
  readonly problem?: string;
  readonly hold?: TargetHold;
  /** A person set the target back from this tag; only a newer image moves it. */
  readonly heldAbove?: string;
  /** The gate it waits behind, as last looked at. */
  readonly gate?: GateWait;
}

/** A branch template with `{newTag}` names one branch per tag: the open PR cannot be found without the tag. */
const PER_TAG = '{newTag}';

/**
 * The configured targets of every service (or of one), each with the tag in
 * its file, the open PR/MR Hoist keeps for it and its holds. Branches are
 * read as the promoter reads them (`viewOf`): the base branch, and for a
 * pull-request target the open PR/MR's branch.
 */
export async function readStatus(service: string | undefined, deps: CliDeps): Promise<TargetStatus[]> {
  const images = deps.config.images.filter((image) => service === undefined || serviceOf(image) === service);
  if (images.length === 0) {
    const known = [...new Set(deps.config.images.map(serviceOf))].sort().join(', ');
    throw new UsageError(`no service '${service}' in ${deps.configPath}; services: ${known || 'none'}`);
  }
  // The tag fills `{newTag}` in branch templates; left as it is, it marks the branches that cannot be looked up.
  const targets = images.flatMap((image) => configuredTargets({ ...deps.config, images: [image] }, image.image, PER_TAG));
  const states = await deps.states.get(targets.map((t) => t.key));
  // One read of each base branch: every target of a repository is read at the same commit.
  const baseCommits = new Map<string, Promise<string>>();
  const baseCommitOf = (target: ResolvedTarget) => {
    let commit = baseCommits.get(target.repository.name);
    if (commit === undefined) {
      commit = deps
        .providerFor(target.repository)
        .then(async (provider) => (await viewOf(provider, target.repository, target.repository.baseBranch, 'commit')).commit);
      baseCommits.set(target.repository.name, commit);
    }
    return commit;
  };
  const statuses: TargetStatus[] = [];
  for (const target of targets) {
    const state = states.get(target.key);
    const base = await tagIn(target, await baseCommitOf(target), deps);
    let proposed: TargetStatus['proposed'];
    if (target.mode === 'pull-request' && !target.branch.includes(PER_TAG)) {
      const provider = await deps.providerFor(target.repository);
      const view = await viewOf(provider, target.repository, target.branch, 'pull-request');
      // viewOf falls back to the base when nothing is open; on plain git the pushed branch itself is the proposal.
      if (view.pullRequest !== undefined || (!provider.supportsPullRequests && view.update === 'fast-forward')) {
        const read = await tagIn(target, view.commit, deps);
        proposed = {
          ...(read.tag ? { tag: read.tag } : {}),
          branch: target.branch,
          ...(view.pullRequest ? { url: view.pullRequest.url, number: view.pullRequest.number } : {}),
        };
      }
    }
    statuses.push({
      service: target.service,
      environment: target.environment,
      image: target.image,
      repository: target.repository.name,
      file: target.file,
      mode: target.mode,
      ...(base.tag ? { tag: base.tag } : {}),
      ...(proposed ? { proposed } : {}),
      ...(base.problem ? { problem: base.problem } : {}),
      ...(state?.hold ? { hold: state.hold } : {}),
      ...(state?.heldAbove ? { heldAbove: state.heldAbove } : {}),
      ...(state?.gate ? { gate: state.gate } : {}),
    });
  }
  return statuses;
}

/** The tag of the target's first image site in its file at a commit. */
async function tagIn(target: ResolvedTarget, commit: string, deps: CliDeps): Promise<{ tag?: string; problem?: string }> {
  const text = await (await deps.providerFor(target.repository)).readFile(commit, target.file);
  if (text === undefined) return { problem: `${target.file} does not exist` };
  if (target.setOnly) return { problem: 'values only, no image tag' };
  try {
    const [site] = sitesOf(target, text);
    if (site === undefined) return { problem: `no image field for ${target.image} in ${target.file}` };
    const { tag } = currentVersionOf(site);
    return tag === undefined ? { problem: 'no tag' } : { tag };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** `hoist status` for people: one row per target. */
export function formatStatus(statuses: readonly TargetStatus[], styles: Styles): string {
  const rows = statuses.map((s) => [
    s.service,
    s.environment,
    s.tag ?? `? (${s.problem ?? 'unknown'})`,
    s.proposed ? `${s.proposed.tag ?? '?'} ${s.proposed.url ?? `branch ${s.proposed.branch}`}` : '-',
    s.hold ? holdReasonOf(s.hold) : s.heldAbove ? `reverted, waiting above ${s.heldAbove}` : '-',
    s.gate ? gateLineOf(s.gate) : '-',
  ]);
  return formatTable(['SERVICE', 'ENV', 'TAG', 'PROPOSED (PR/MR)', 'HOLD', 'GATE'], rows, styles.bold);
}

/** A waiting gate in a few words: `1.4.3 after dev: dev healthy for 30 s of 600 s`. */
export const gateLineOf = (gate: GateWait): string => `${gate.tag} after ${gate.after}: ${gate.reason}`;
