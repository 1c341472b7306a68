import type { EditSpec, ImageConfig, PromotionConfig, RepositoryConfig, SlackDestination, TargetConfig } from '../config/promotion-config';
import { serviceOf } from '../config/promotion-config';
import { type EventEnvelope, type HoistEvent, imageNameOf, type Route } from '../events';
import { matchesImageGlob } from '../image-ref';
import { currentVersionOf, editsForSite, findImageSites, findMarkerSites, type ImageSite } from '../yaml/image-sites';
import { applyScalarEdits } from '../yaml/scalar-splice';
import { compareCandidates, decideTag, newestCandidate, parsePolicyShorthand, type TagPolicy } from './tag-policy';

/** A published image version that may be promoted. */
export interface ImageUpdate {
  readonly image: string;
  readonly tag: string;
  readonly digest?: string;
  readonly pushedAt: string;
  /** What triggered it, for messages: `ECR push`, `GitHub registry_package`. */
  readonly source: string;
  readonly envelopeId: string;
  /** Only targets on this repository branch, when the envelope was routed. */
  readonly route?: Route;
}

/** One place an image is promoted to, resolved from config or a marker. */
export interface ResolvedTarget {
  /** Stable across runs: repository, file, environment and image. */
  readonly key: string;
  readonly repository: RepositoryConfig;
  readonly file: string;
  readonly environment: string;
  readonly service: string;
  readonly image: string;
  readonly policy: TagPolicy;
  readonly edit: EditSpec | { readonly kind: 'marker' };
  readonly mode: 'commit' | 'pull-request';
  /** Where the change is written: the base branch for commits, the PR branch otherwise. */
  readonly branch: string;
  readonly commitMessage: string;
  readonly skipCi: boolean;
  readonly digestMode: 'none' | 'inline' | 'field';
  readonly argocdApplications: readonly string[];
  readonly labels: readonly string[];
  readonly autoMerge: boolean;
  readonly slack?: SlackDestination;
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
  readonly source: string;
  readonly argocdApplications: readonly string[];
  /** The release of a revert hold, when this promotion is newer than the held tag. */
  readonly releasesHold?: string;
  /** Where to announce it; the default destination when absent. */
  readonly slack?: SlackDestination;
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
}

export interface PromotionPlan {
  readonly changes: readonly PlannedChange[];
  readonly noops: readonly NoOp[];
  /** New state per target key, to be saved once the changes are applied. */
  readonly states: ReadonlyMap<string, TargetState>;
}

/** Reads a file as it is on a branch; undefined when it does not exist. */
export type FileLookup = (repository: string, branch: string, path: string) => string | undefined;

/** The image updates among queued events; other events trigger no promotion here. */
export function imageUpdatesOf(envelopes: readonly EventEnvelope[]): { updates: ImageUpdate[]; noops: NoOp[] } {
  const updates: ImageUpdate[] = [];
  const noops: NoOp[] = [];
  for (const envelope of envelopes) {
    const event = envelope.event;
    if (event.type !== 'image.published') {
      noops.push({ image: '', tag: '', reason: `${event.type} events do not promote images` });
      continue;
    }
    if (event.tag === undefined) {
      noops.push({ image: imageNameOf(event), tag: event.digest ?? '', reason: 'image pushed without a tag' });
      continue;
    }
    updates.push({
      image: imageNameOf(event),
      tag: event.tag,
      ...(event.digest ? { digest: event.digest } : {}),
      pushedAt: event.pushedAt,
      source: `${event.reportedBy.host} ${event.reportedBy.event}`,
      envelopeId: envelope.id,
      ...(envelope.route ? { route: envelope.route } : {}),
    });
  }
  return { updates, noops };
}

/** Whether a target lies on a route (any target does when there is no route). */
export function targetOnRoute(target: ResolvedTarget, route: Route | undefined): boolean {
  if (route === undefined) return true;
  if (target.repository.name !== route.repository) return false;
  return route.branch === '*' ? target.edit.kind === 'marker' : target.edit.kind !== 'marker' && target.branch === route.branch;
}

/** Every target of an update: from config and from marker files, limited to its route. */
export function targetsOf(config: PromotionConfig, update: ImageUpdate, files: FileLookup): ResolvedTarget[] {
  return [...configuredTargets(config, update.image), ...markerTargets(config, update.image, files)].filter((t) => targetOnRoute(t, update.route));
}

/**
 * The branches an event will write to, known at intake without reading any
 * file: one per configured target branch, and `*` for each repository with
 * marker files. Empty for events that promote nothing.
 */
export function routesFor(config: PromotionConfig, event: HoistEvent): Route[] {
  if (event.type !== 'image.published') return [];
  const routes = new Map<string, Route>();
  for (const target of configuredTargets(config, imageNameOf(event))) {
    routes.set(`${target.repository.name}\u0000${target.branch}`, { repository: target.repository.name, branch: target.branch });
  }
  for (const repository of config.repositories.filter((r) => r.markerFiles.length > 0)) {
    routes.set(`${repository.name}\u0000*`, { repository: repository.name, branch: '*' });
  }
  return [...routes.values()];
}

const render = (template: string, values: Record<string, string>): string => template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);

/** The targets that config declares for an image name. */
export function configuredTargets(config: PromotionConfig, image: string): ResolvedTarget[] {
  return config.images
    .filter((entry: ImageConfig) => matchesImageGlob(entry.image, image))
    .flatMap((entry) =>
      entry.targets.map((target: TargetConfig) => {
        const repository = config.repositories.find((r) => r.name === target.repository);
        if (repository === undefined) throw new Error(`no repository '${target.repository}'`);
        const service = serviceOf(entry);
        return {
          key: `${repository.name}:${target.file}:${target.environment}:${image}`,
          repository,
          file: target.file,
          environment: target.environment,
          service,
          image,
          policy: entry.policy,
          edit: target.edit,
          mode: target.mode,
          branch:
            target.mode === 'commit' ? repository.baseBranch : render(target.branch, { environment: target.environment, service, repository: repository.name }),
          commitMessage: target.commitMessage,
          skipCi: target.skipCi,
          digestMode: target.digest,
          argocdApplications: target.argocdApplications,
          labels: target.labels,
          autoMerge: target.autoMerge,
          ...(target.slack ? { slack: target.slack } : {}),
        } satisfies ResolvedTarget;
      }),
    );
}

/** The marker targets a repository's marker files declare for an image. */
export function markerTargets(config: PromotionConfig, image: string, files: FileLookup): ResolvedTarget[] {
  return config.repositories.flatMap((repository) =>
    repository.markerFiles.flatMap((file) => {
      const text = files(repository.name, repository.baseBranch, file);
      if (text === undefined) return [];
      return findMarkerSites(text, file)
        .filter((site) => matchesImageGlob(site.image, image))
        .map((site) => {
          const environment = site.environment ?? repository.markerDefaults.environment;
          const service = image.split('/').at(-1) ?? image;
          const mode = repository.markerDefaults.mode;
          return {
            key: `${repository.name}:${file}:${environment}:${image}`,
            repository,
            file,
            environment,
            service,
            image,
            policy: site.policy === undefined ? ({ type: 'semver', range: '*', prerelease: false } as const) : parsePolicyShorthand(site.policy),
            edit: { kind: 'marker' as const },
            mode,
            branch: mode === 'commit' ? repository.baseBranch : `hoist/${environment}/${service}`,
            commitMessage: 'chore({environment}): bump {service} {oldTag} -> {newTag}',
            skipCi: false,
            digestMode: 'none' as const,
            argocdApplications: repository.markerDefaults.argocdApplications,
            labels: [],
            autoMerge: false,
          } satisfies ResolvedTarget;
        });
    }),
  );
}

function sitesOf(target: ResolvedTarget, text: string): ImageSite[] {
  if (target.edit.kind === 'marker') return findMarkerSites(text, target.file).filter((s) => matchesImageGlob(s.image, target.image));
  return findImageSites(text, target.file, target.edit, target.image);
}

export interface PlanInput {
  readonly config: PromotionConfig;
  readonly updates: readonly ImageUpdate[];
  /** Files as they are on each target's branch (the PR branch if one is open, else the base). */
  readonly files: FileLookup;
  readonly stateOf: (targetKey: string) => TargetState | undefined;
}

/**
 * Turns image updates into changes: per repository and branch, the edited
 * files and one commit message. Several updates that reach the same branch
 * become one commit; each update that changes nothing becomes a no-op with
 * its reason. Pure: everything it needs comes in, nothing goes out but the plan.
 */
export function planPromotions(input: PlanInput): PromotionPlan {
  const noops: NoOp[] = [];
  const states = new Map<string, TargetState>();
  const contents = new Map<string, string>();
  const groups = new Map<string, { target: ResolvedTarget; promotions: Promotion[]; paths: Set<string> }>();
  const fileKey = (repo: string, branch: string, path: string) => `${repo}\u0000${branch}\u0000${path}`;
  const read = (repo: string, branch: string, path: string) => contents.get(fileKey(repo, branch, path)) ?? input.files(repo, branch, path);

  // Every target an update reaches, with all the updates that reach it.
  const byTarget = new Map<string, { target: ResolvedTarget; updates: ImageUpdate[] }>();
  for (const update of input.updates) {
    const targets = targetsOf(input.config, update, input.files);
    if (targets.length === 0) {
      const reason = update.route
        ? `no target of this image on ${update.route.repository}:${update.route.branch} any more`
        : 'no target is configured for this image';
      noops.push({ image: update.image, tag: update.tag, reason });
    }
    for (const target of targets) {
      const entry = byTarget.get(target.key) ?? { target, updates: [] };
      entry.updates.push(update);
      byTarget.set(target.key, entry);
    }
  }

  for (const { target, updates } of byTarget.values()) {
    const noop = (update: ImageUpdate, reason: string, held = false) =>
      noops.push({ image: update.image, tag: update.tag, targetKey: target.key, environment: target.environment, reason, ...(held ? { held } : {}) });
    const best = newestCandidate(target.policy, updates);
    for (const update of updates) {
      if (update === best) continue;
      const verdict = decideTag(target.policy, undefined, update);
      if (!verdict.update) noop(update, verdict.reason);
      else if (best !== undefined)
        noop(update, best.tag === update.tag ? 'same tag delivered twice in one batch' : `superseded by '${best.tag}' in the same batch`);
    }
    if (best === undefined) continue;
    const text = read(target.repository.name, target.branch, target.file);
    if (text === undefined) {
      noop(best, `${target.file} does not exist on ${target.branch}`);
      continue;
    }
    const sites = sitesOf(target, text);
    if (sites.length === 0) {
      noop(best, `no ${target.edit.kind} image field for ${target.image} in ${target.file}`);
      continue;
    }
    const current = currentVersionOf(sites[0] as ImageSite);
    const state = input.stateOf(target.key) ?? {};
    // Holds apply where Hoist writes to the base branch itself; a PR that was not merged is not a revert.
    const held = target.mode === 'commit' ? holdFor(target.policy, state, current.tag) : undefined;
    if (held !== undefined && (compareCandidates(target.policy, best, { tag: held }) ?? 1) <= 0) {
      noop(best, `held: '${current.tag ?? '?'}' was set back by hand from '${held}'; waiting for an image newer than '${held}'`, true);
      states.set(target.key, { ...state, heldAbove: held });
      continue;
    }
    const decision = decideTag(target.policy, current.tag, best);
    const digestChanged = target.digestMode !== 'none' && best.digest !== undefined && best.digest !== current.digest;
    if (!decision.update && !(digestChanged && current.tag === best.tag)) {
      noop(best, decision.reason);
      continue;
    }
    const updated = applyScalarEdits(
      text,
      sites.flatMap((site) => editsForSite(site, { tag: best.tag, ...(best.digest ? { digest: best.digest } : {}), digestMode: target.digestMode })),
    );
    contents.set(fileKey(target.repository.name, target.branch, target.file), updated);
    const groupKey = `${target.repository.name}\u0000${target.branch}`;
    const group = groups.get(groupKey) ?? { target, promotions: [], paths: new Set<string>() };
    group.paths.add(target.file);
    group.promotions.push({
      targetKey: target.key,
      image: target.image,
      service: target.service,
      environment: target.environment,
      file: target.file,
      ...(current.tag ? { fromTag: current.tag } : {}),
      toTag: best.tag,
      ...(best.digest ? { digest: best.digest } : {}),
      source: best.source,
      argocdApplications: target.argocdApplications,
      ...(held !== undefined ? { releasesHold: held } : {}),
      ...(target.slack ? { slack: target.slack } : {}),
    });
    groups.set(groupKey, group);
    states.set(target.key, { lastWrittenTag: best.tag });
  }

  const changes: PlannedChange[] = [...groups.values()].map(({ target, promotions, paths }) => {
    const lines = promotions.map((p) =>
      render(target.commitMessage, {
        image: p.image,
        service: p.service,
        oldTag: p.fromTag ?? '(none)',
        newTag: p.toTag,
        environment: p.environment,
        source: p.source,
      }),
    );
    const skipCi = promotions.some((p) => byTarget.get(p.targetKey)?.target.skipCi === true);
    const subject = lines.length === 1 ? (lines[0] as string) : `chore: promote ${lines.length} images on ${target.branch}`;
    const body = lines.length === 1 ? '' : `\n\n${lines.map((l) => `- ${l}`).join('\n')}`;
    const trailer = `\n\nPromoted-By: hoist\n${promotions.map((p) => `Hoist-Target: ${p.targetKey} ${p.toTag}`).join('\n')}`;
    return {
      repository: target.repository.name,
      branch: target.branch,
      baseBranch: target.repository.baseBranch,
      mode: target.mode,
      files: [...paths].map((path) => ({ path, content: contents.get(fileKey(target.repository.name, target.branch, path)) as string })),
      commitMessage: `${subject}${skipCi ? ' [skip ci]' : ''}${body}${trailer}`,
      title: subject,
      promotions,
      labels: [...new Set(promotions.flatMap((p) => byTarget.get(p.targetKey)?.target.labels ?? []))],
      autoMerge: promotions.some((p) => byTarget.get(p.targetKey)?.target.autoMerge === true),
    };
  });
  return { changes, noops, states };
}

/**
 * The tag a target is held at. A hold exists when the file no longer holds
 * what Hoist last wrote and holds something older: a person set it back.
 */
function holdFor(policy: TagPolicy, state: TargetState, currentTag: string | undefined): string | undefined {
  if (state.heldAbove !== undefined) return state.heldAbove;
  const written = state.lastWrittenTag;
  if (written === undefined || currentTag === undefined || currentTag === written) return undefined;
  const order = compareCandidates(policy, { tag: currentTag }, { tag: written });
  return order !== undefined && order < 0 ? written : undefined;
}
