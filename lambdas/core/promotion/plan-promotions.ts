import type { PromotionConfig, SlackDestination, TriggerSource } from '../config/promotion-config';
import type { Route } from '../events';
import type { CommitRelation } from '../ports';
import { createYamlReader, type YamlReader } from '../yaml/yaml-reader';
import { composeChanges } from './compose-change';
import { decideTarget } from './decide-target';
import { type ResolvedTarget, targetsOf } from './targets';

/** A published image version that may be promoted. */
export interface ImageUpdate {
  readonly image: string;
  readonly tag: string;
  readonly digest?: string;
  readonly pushedAt: string;
  /** What triggered it, for messages: `ecr ECR Image Action`, `github registry_package`. */
  readonly source: string;
  readonly envelopeId: string;
  /** Only targets on this repository branch, when the envelope was routed. */
  readonly route?: Route;
  /** The tag must be found in the registry before it is written (a build announced by a Git host). */
  readonly verify?: boolean;
  /** `{values.KEY}` for targets' `set` templates (from a `POST /promotions` request). */
  readonly values?: Readonly<Record<string, string>>;
  /** The commit the image was built from, when a Git host announced it. */
  readonly commit?: string;
  /** A chain step: only this environment, whose gate passed (it follows another). */
  readonly environment?: string;
  /** The `from` source that announced it (with `commit`): where the commit lives, and the tag template. */
  readonly from?: TriggerSource;
}

/** A promotion the plan carries out. */
export interface Promotion {
  readonly targetKey: string;
  readonly image: string;
  readonly service: string;
  readonly environment: string;
  readonly file: string;
  readonly fromTag?: string;
  readonly toTag: string;
  readonly digest?: string;
  /** When the tag was pushed: a chain's later environments keep its order. */
  readonly pushedAt?: string;
  readonly source: string;
  readonly argocdApplications: readonly string[];
  /** The release of a revert hold, when this promotion is newer than the held tag. */
  readonly releasesHold?: string;
  /** Where to announce it; the default destination when absent. */
  readonly slack?: SlackDestination;
  readonly envelopeIds: readonly string[];
}

/** An event or target that changes nothing, and why. */
export interface NoOp {
  readonly image: string;
  readonly tag: string;
  readonly targetKey?: string;
  readonly environment?: string;
  readonly reason: string;
  /** Set when a person's revert holds the target back. */
  readonly held?: boolean;
  /** Set when the target holds this tag already (an earlier attempt or delivery wrote it). */
  readonly atTag?: boolean;
  readonly envelopeIds: readonly string[];
}

/** A target that cannot be promoted until a person acts (a broken or oversized file …); never retried. */
export interface FailedTarget {
  readonly image: string;
  readonly tag: string;
  readonly targetKey?: string;
  readonly environment?: string;
  readonly file?: string;
  readonly reason: string;
  readonly envelopeIds: readonly string[];
}

/** One commit (and maybe one PR/MR) on one repository branch. */
export interface PlannedChange {
  readonly repository: string;
  readonly branch: string;
  readonly baseBranch: string;
  readonly mode: 'commit' | 'pull-request';
  readonly files: ReadonlyArray<{ readonly path: string; readonly content: string }>;
  readonly commitMessage: string;
  readonly title: string;
  readonly promotions: readonly Promotion[];
  readonly labels: readonly string[];
  readonly autoMerge: boolean;
}

/** What Hoist remembers per target between runs. */
export interface TargetState {
  /** The tag Hoist itself last wrote. */
  readonly lastWrittenTag?: string;
  /** A person set the target back from this tag; only a newer image moves it. */
  readonly heldAbove?: string;
  /** A person holds the target where it is (`hoist hold`): no image moves it until the hold is released. */
  readonly hold?: TargetHold;
  /** The gate this target waits behind (an environment it follows), as last looked at. */
  readonly gate?: GateWait;
  /** The Slack message that asks to approve the PR/MR this target waits in. */
  readonly approvalMessage?: { readonly number: number; readonly channel: string; readonly ts: string };
  /** What an open PR/MR promotes, kept so that its merge opens the gates of the environments that follow. */
  readonly proposal?: { readonly promotions: readonly ProposedPromotion[] };
}

/** A promotion waiting in a PR/MR, as far as its gates need it. */
export interface ProposedPromotion {
  readonly targetKey: string;
  readonly image: string;
  readonly service: string;
  readonly environment: string;
  readonly file: string;
  readonly toTag: string;
  readonly digest?: string;
  readonly pushedAt?: string;
}

/** A gate a target waits behind: the tag, the environment it follows, since when, and why it waits. */
export interface GateWait {
  readonly tag: string;
  readonly after: string;
  readonly since: string;
  readonly checkedAt: string;
  readonly reason: string;
}

/** Who holds a target, since when (ISO 8601) and why. */
export interface TargetHold {
  readonly by: string;
  readonly at: string;
  readonly reason?: string;
}

export interface PromotionPlan {
  readonly changes: readonly PlannedChange[];
  readonly noops: readonly NoOp[];
  readonly failures: readonly FailedTarget[];
  /** New state per target key, to be saved once the changes are applied. */
  readonly states: ReadonlyMap<string, TargetState>;
}

/** A file as read from a branch: its text, absent, or refused before parsing (too large …). */
export type FileRead = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'missing' } | { readonly kind: 'refused'; readonly reason: string };

/** Everything planning needs, read beforehand. */
export interface PlanInput {
  readonly config: PromotionConfig;
  readonly updates: readonly ImageUpdate[];
  /** Files as they are on each target's branch (the PR branch if one is open, else the base). */
  readonly fileOf: (repository: string, branch: string, path: string) => FileRead;
  readonly stateOf: (targetKey: string) => TargetState | undefined;
  /** When an image tag was pushed, as Hoist recorded it or the registry reports it. */
  readonly pushedAtOf: (image: string, tag: string) => string | undefined;
  /** How the commit of `newTag` relates to that of `currentTag` (a tag in a file), where a Git host told. */
  readonly relationOf?: (image: string, currentTag: string, newTag: string) => CommitRelation | undefined;
  /**
   * Reads each file's YAML once for the whole plan and follows the plan's
   * edits (the workspace's, to share its reads); a new one by default.
   */
  readonly yaml?: YamlReader;
}

/** The text of a file, for callers that only need to know whether there is one. */
export const textOf = (read: FileRead): string | undefined => (read.kind === 'text' ? read.text : undefined);

/**
 * Turns image updates into changes: per repository and branch, the edited
 * files and one commit message. Pure: everything comes in, the plan goes out.
 * 1. resolve every target each update reaches (config and marker files);
 * 2. decide each target on its own: an edit, a no-op with its reason, or a
 *    failure with its reason — one broken file does not hold back the others;
 * 3. compose the edits of each branch into one change.
 */
export function planPromotions(input: PlanInput): PromotionPlan {
  const noops: NoOp[] = [];
  const failures: FailedTarget[] = [];
  const lookup = (repo: string, branch: string, path: string) => textOf(input.fileOf(repo, branch, path));
  // However many targets and events look into a file, it is read once, and once edited it is not read again.
  const yaml = input.yaml ?? createYamlReader();

  const byTarget = new Map<string, { target: ResolvedTarget; updates: ImageUpdate[] }>();
  for (const update of input.updates) {
    const refused = refusedMarkerFiles(input, update);
    if (refused.length > 0) {
      // Which targets those files declare cannot be known until a person makes them readable.
      failures.push({ image: update.image, tag: update.tag, reason: refused.join('; '), envelopeIds: [update.envelopeId] });
      continue;
    }
    let targets: ResolvedTarget[];
    try {
      targets = targetsOf(input.config, update.image, update.tag, update.route, lookup, update.environment, yaml);
    } catch (error) {
      // A broken marker file: no target of it can be known until a person fixes it.
      failures.push({ image: update.image, tag: update.tag, reason: (error as Error).message, envelopeIds: [update.envelopeId] });
      continue;
    }
    if (targets.length === 0) {
      const reason = update.route
        ? `no target of this image on ${update.route.repository}:${update.route.branch} any more`
        : 'no target is configured for this image';
      noops.push({ image: update.image, tag: update.tag, reason, envelopeIds: [update.envelopeId] });
    }
    for (const target of targets) {
      const entry = byTarget.get(target.key) ?? { target, updates: [] };
      entry.updates.push(update);
      byTarget.set(target.key, entry);
    }
  }

  // Targets that share a file see each other's edits: the file's text moves on with each edit.
  const edited = new Map<string, string>();
  const fileKey = (target: ResolvedTarget) => `${target.repository.name}\u0000${target.branch}\u0000${target.file}`;
  const states = new Map<string, TargetState>();
  const edits: Array<{ target: ResolvedTarget; promotion: Promotion }> = [];
  for (const { target, updates } of byTarget.values()) {
    const known = edited.get(fileKey(target));
    const file: FileRead = known !== undefined ? { kind: 'text', text: known } : input.fileOf(target.repository.name, target.branch, target.file);
    const decision = decideTarget({
      target,
      updates,
      file,
      state: input.stateOf(target.key) ?? {},
      pushedAtOf: input.pushedAtOf,
      relationOf: input.relationOf ?? (() => undefined),
      yaml,
    });
    noops.push(...decision.noops);
    if (decision.failure) failures.push(decision.failure);
    if (decision.state) states.set(target.key, decision.state);
    if (decision.edit) {
      edited.set(fileKey(target), decision.edit.text);
      edits.push({ target, promotion: decision.edit.promotion });
    }
  }
  const changes = composeChanges(edits, (target) => edited.get(fileKey(target)) ?? '');
  return { changes, noops, failures, states };
}

/** Marker files on an update's route that were refused when read (too large …), each with its reason. */
function refusedMarkerFiles(input: PlanInput, update: ImageUpdate): string[] {
  return input.config.repositories
    .filter((r) => update.route === undefined || (update.route.repository === r.name && update.route.branch === '*'))
    .flatMap((repository) =>
      repository.markerFiles.flatMap((path) => {
        const read = input.fileOf(repository.name, repository.baseBranch, path);
        return read.kind === 'refused' ? [`marker file ${path}: ${read.reason}`] : [];
      }),
    );
}
