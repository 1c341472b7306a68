import { matchesImageGlob } from '../image-ref';
import type { CommitRelation } from '../ports';
import { currentVersionOf, editsForSite, findImageSites, findMarkerSites, type ImageSite, type YamlSource } from '../yaml/image-sites';
import { applyScalarEdits, type ScalarEdit } from '../yaml/scalar-splice';
import type { YamlReader } from '../yaml/yaml-reader';
import { commitOfTag, tagTemplateOf } from './commit-of-tag';
import type { FailedTarget, FileRead, ImageUpdate, NoOp, Promotion, TargetHold, TargetState } from './plan-promotions';
import { compareCandidates, decideTag, policyAccepts, type TagCandidate, type TagDecision, type TagPolicy } from './tag-policy';
import type { ResolvedTarget } from './targets';
import { valueEditsOf } from './value-edits';

export interface TargetInput {
  readonly target: ResolvedTarget;
  /** Every update of this batch that reaches the target. */
  readonly updates: readonly ImageUpdate[];
  readonly file: FileRead;
  readonly state: TargetState;
  readonly pushedAtOf: (image: string, tag: string) => string | undefined;
  /** How the commit of `newTag` relates to that of `currentTag`, where a Git host told (tags built from commits). */
  readonly relationOf: (image: string, currentTag: string, newTag: string) => CommitRelation | undefined;
  /** Reads the file once for the whole plan and follows its edits; without it the file is read here. */
  readonly yaml?: YamlReader;
}

/** What becomes of one target: at most one edit, no-ops for the updates it does not take, maybe a failure. */
export interface TargetDecision {
  readonly noops: NoOp[];
  readonly edit?: { readonly text: string; readonly promotion: Promotion };
  readonly failure?: FailedTarget;
  /** The target's new state, when it changes (a write, or a hold to remember). */
  readonly state?: TargetState;
}

/** The no-op reason of a target a person holds: `held by <who> since <when>: <reason>`. */
export const holdReasonOf = (hold: TargetHold): string => `held by ${hold.by} since ${hold.at}${hold.reason ? `: ${hold.reason}` : ''}`;

/**
 * The image sites a target designates in a file's text (throws a
 * ValidationError for a file YAML refuses); read through `source` when given.
 */
export function sitesOf(target: ResolvedTarget, text: string, source?: YamlSource): ImageSite[] {
  if (target.edit.kind === 'marker') {
    const markers = source?.markerSitesOf(text, target.file) ?? findMarkerSites(text, target.file);
    return markers.filter((s) => matchesImageGlob(s.image, target.image));
  }
  return findImageSites(text, target.file, target.edit, target.image, source);
}

/** Applies edits through the plan's reader when there is one, so that the edited file is not read again. */
const editedText = (input: TargetInput, text: string, edits: readonly ScalarEdit[]): string =>
  input.yaml !== undefined ? input.yaml.applyEdits(text, edits) : applyScalarEdits(text, edits);

/**
 * Decides one target: the newest acceptable update of the batch against the
 * tag in the file, the revert hold and the policy. Pure.
 */
export function decideTarget(input: TargetInput): TargetDecision {
  const { target, updates, file, state } = input;
  const noops: NoOp[] = [];
  const noop = (update: ImageUpdate, reason: string, held = false, atTag = false) =>
    noops.push({
      image: update.image,
      tag: update.tag,
      targetKey: target.key,
      environment: target.environment,
      reason,
      ...(held ? { held } : {}),
      ...(atTag ? { atTag } : {}),
      envelopeIds: [update.envelopeId],
    });
  const fail = (update: ImageUpdate, reason: string): TargetDecision => ({
    noops,
    failure: {
      image: update.image,
      tag: update.tag,
      targetKey: target.key,
      environment: target.environment,
      file: target.file,
      reason,
      envelopeIds: updates.map((u) => u.envelopeId),
    },
  });
  const candidate = (tag: string | undefined): TagCandidate | undefined => {
    if (tag === undefined) return undefined;
    const pushedAt = input.pushedAtOf(target.image, tag);
    return pushedAt === undefined ? { tag } : { tag, pushedAt };
  };

  const best = newestUpdate(input);
  for (const update of updates) {
    if (update === best) continue;
    const verdict = decideTag(target.policy, undefined, update);
    if (!verdict.update) noop(update, verdict.reason);
    else if (best !== undefined)
      noop(update, best.tag === update.tag ? 'same tag delivered twice in one batch' : `superseded by '${best.tag}' in the same batch`);
  }
  if (best === undefined) return { noops };
  // A person's hold stops the target whatever the file or the policy say; the state stays as it is.
  // Not flagged `held`: that announces a revert to Slack, and whoever held the target knows already.
  if (state.hold !== undefined) {
    noop(best, holdReasonOf(state.hold));
    return { noops };
  }
  if (file.kind === 'missing') {
    noop(best, `${target.file} does not exist on ${target.branch}`);
    return { noops };
  }
  if (file.kind === 'refused') return fail(best, `${target.file}: ${file.reason}`);
  if (target.setOnly) return decideValuesOnly(input, best, file.text, noops, noop, fail);

  let sites: ImageSite[];
  try {
    sites = sitesOf(target, file.text, input.yaml);
  } catch (error) {
    return fail(best, (error as Error).message);
  }
  const [site] = sites;
  if (site === undefined) {
    noop(best, `no ${target.edit.kind} image field for ${target.image} in ${target.file}`);
    return { noops };
  }
  const current = currentVersionOf(site);
  const currentCandidate = candidate(current.tag);
  // Holds apply where Hoist writes to the base branch itself; a PR that was not merged is not a revert.
  const held = target.mode === 'commit' ? holdFor(target.policy, state, currentCandidate, candidate) : undefined;
  if (held !== undefined && (compareCandidates(target.policy, best, candidate(held) ?? { tag: held }) ?? 1) <= 0) {
    noop(best, `held: '${current.tag ?? '?'}' was set back by hand from '${held}'; waiting for an image newer than '${held}'`, true);
    return { noops, state: { ...state, heldAbove: held } };
  }
  const ancestry = current.tag === undefined ? undefined : decideByAncestry(input, current.tag, best);
  const decision = ancestry ?? decideTag(target.policy, currentCandidate, best);
  const digestChanged = target.digestMode !== 'none' && best.digest !== undefined && best.digest !== current.digest;
  if (!decision.update && !(digestChanged && current.tag === best.tag)) {
    noop(best, decision.reason, false, current.tag === best.tag);
    return { noops };
  }
  let text: string;
  try {
    text = editedText(input, file.text, [
      ...sites.flatMap((s) => editsForSite(s, { tag: best.tag, ...(best.digest ? { digest: best.digest } : {}), digestMode: target.digestMode })),
      ...valueEditsOf(target, best, file.text, input.yaml).edits,
    ]);
  } catch (error) {
    return fail(best, (error as Error).message);
  }
  const promotion = promotionOf(target, best, updates, current.tag, held !== undefined ? { releasesHold: held } : {});
  return { noops, edit: { text, promotion }, state: { lastWrittenTag: best.tag } };
}

/**
 * The newest update of the batch the policy accepts: by Git ancestry between
 * builds whose commits the host related (a descendant is newer; the same
 * commit or an ancestor is not), else as the policy orders tags.
 */
function newestUpdate(input: TargetInput): ImageUpdate | undefined {
  const { target } = input;
  let best: ImageUpdate | undefined;
  for (const update of input.updates) {
    if (!policyAccepts(target.policy, update.tag)) continue;
    if (best === undefined) {
      best = update;
      continue;
    }
    const relation = best.commit !== undefined && update.commit !== undefined ? input.relationOf(target.image, best.tag, update.tag) : undefined;
    if (relation === 'ahead') best = update;
    else if (relation === 'behind' || relation === 'identical') continue;
    // Diverged or not related: neither contains the other, so the policy's order picks; the file's tag is checked after.
    else if ((compareCandidates(target.policy, update, best) ?? 1) > 0) best = update;
  }
  return best;
}

/**
 * Orders a build a Git host announced against the tag in the file by Git
 * ancestry, where the host told how their commits relate: only a descendant
 * replaces the tag; an older, the same or a diverged commit changes nothing.
 * Undefined (push time decides) where the host was not asked or did not know.
 */
function decideByAncestry(input: TargetInput, currentTag: string, best: ImageUpdate): TagDecision | undefined {
  if (best.commit === undefined || best.from === undefined || currentTag === best.tag) return undefined;
  const relation = input.relationOf(input.target.image, currentTag, best.tag);
  const currentCommit = commitOfTag(tagTemplateOf(best.from), currentTag);
  if (relation === undefined || currentCommit === undefined) return undefined;
  const newCommit = best.commit.slice(0, Math.max(currentCommit.length, 7));
  switch (relation) {
    case 'ahead':
      // A descendant replaces the tag whatever the push times say, if the policy accepts it at all.
      return decideTag(input.target.policy, undefined, best);
    case 'behind':
      return { update: false, reason: `'${currentTag}' (commit ${currentCommit}) descends from ${best.tag}'s commit ${newCommit}; not going back` };
    case 'identical':
      return { update: false, reason: `'${currentTag}' (commit ${currentCommit}) and '${best.tag}' (commit ${newCommit}) are built from the same commit` };
    case 'diverged':
      return {
        update: false,
        reason: `'${best.tag}' (commit ${newCommit}) and '${currentTag}' (commit ${currentCommit}) have diverged: neither descends from the other; not moving`,
      };
  }
}

/**
 * A target that holds no image, only values (a model ConfigMap beside the
 * Deployment): the newest update is written when it is not older than what
 * Hoist last wrote there and any value differs.
 */
function decideValuesOnly(
  input: TargetInput,
  best: ImageUpdate,
  text: string,
  noops: NoOp[],
  noop: (update: ImageUpdate, reason: string) => void,
  fail: (update: ImageUpdate, reason: string) => TargetDecision,
): TargetDecision {
  const { target, state, updates } = input;
  const last = state.lastWrittenTag;
  const ancestry = last === undefined ? undefined : decideByAncestry(input, last, best);
  if (ancestry !== undefined && !ancestry.update) {
    noop(best, `values: ${ancestry.reason}`);
    return { noops };
  }
  if (ancestry === undefined && last !== undefined && last !== best.tag) {
    const lastPushedAt = input.pushedAtOf(target.image, last);
    const order = compareCandidates(target.policy, best, lastPushedAt === undefined ? { tag: last } : { tag: last, pushedAt: lastPushedAt });
    if (order !== undefined && order < 0) {
      noop(best, `values were last written for '${last}', which is newer than '${best.tag}'; not going back`);
      return { noops };
    }
  }
  let edits: ReturnType<typeof valueEditsOf>;
  try {
    edits = valueEditsOf(target, best, text, input.yaml);
  } catch (error) {
    return fail(best, (error as Error).message);
  }
  if (!edits.changed) {
    noop(best, `values in ${target.file} already match '${best.tag}'`);
    return { noops };
  }
  return {
    noops,
    edit: { text: editedText(input, text, edits.edits), promotion: promotionOf(target, { ...best, digest: undefined }, updates, last, {}) },
    state: { lastWrittenTag: best.tag },
  };
}

/** The promotion a target's edit carries out: from the tag it held, to the newest update's. */
function promotionOf(
  target: ResolvedTarget,
  best: ImageUpdate,
  updates: readonly ImageUpdate[],
  fromTag: string | undefined,
  extra: { readonly releasesHold?: string },
): Promotion {
  return {
    targetKey: target.key,
    image: target.image,
    service: target.service,
    environment: target.environment,
    file: target.file,
    ...(fromTag ? { fromTag } : {}),
    toTag: best.tag,
    ...(best.digest ? { digest: best.digest } : {}),
    pushedAt: best.pushedAt,
    source: best.source,
    argocdApplications: target.argocdApplications,
    ...extra,
    ...(target.slack ? { slack: target.slack } : {}),
    envelopeIds: updates.map((u) => u.envelopeId),
  };
}

/**
 * The tag a target is held at. A hold exists when the file no longer holds
 * what Hoist last wrote and holds something older: a person set it back.
 * Tags without an order of their own are compared by push time.
 */
function holdFor(
  policy: TagPolicy,
  state: TargetState,
  current: TagCandidate | undefined,
  candidate: (tag: string | undefined) => TagCandidate | undefined,
): string | undefined {
  if (state.heldAbove !== undefined) return state.heldAbove;
  const written = candidate(state.lastWrittenTag);
  if (written === undefined || current === undefined || current.tag === written.tag) return undefined;
  const order = compareCandidates(policy, current, written);
  return order !== undefined && order < 0 ? written.tag : undefined;
}
