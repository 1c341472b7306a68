import type { PromotionConfig } from '../config/promotion-config';
import type { EventEnvelope, HoistEvent, Route } from '../events';
import { imageNameOf } from '../ordering-key-of';
import { buildsAnnouncedBy, gitopsRepositoryOf, refName } from './git-triggers';
import type { ImageUpdate, NoOp } from './plan-promotions';
import { configuredTargets, configuredTargetsOfRepository, imagesMatching } from './targets';

/**
 * The one place that decides what work an event produces. Intake asks it
 * which GitOps branches an event goes to (and answers `ignored` with its
 * reason when there are none); the promoter asks it which image updates and
 * which GitOps relays a queued envelope carries.
 */

/**
 * The work one event implies: image updates to plan on some branches, a
 * relay of a change to a GitOps branch (Argo CD refresh, and the announcement
 * of a merged Hoist PR), or nothing, with the reason.
 */
export type Work =
  | { readonly kind: 'promote'; readonly routes: readonly Route[] }
  | { readonly kind: 'relay'; readonly routes: readonly Route[] }
  /** A person's approval or rejection of a PR/MR: merge or close it. */
  | { readonly kind: 'decide'; readonly routes: readonly Route[] }
  | { readonly kind: 'none'; readonly reason: string };

/** What an event implies under a config, decided without reading any file. */
export function workOf(config: PromotionConfig, event: HoistEvent): Work {
  switch (event.type) {
    case 'image.published': {
      if (event.tag === undefined) return { kind: 'none', reason: `${imageNameOf(event)} was pushed without a tag` };
      const refusal = announcerRefusal(config, event);
      if (refusal !== undefined) return { kind: 'none', reason: refusal };
      return promoteOrNone(routesOf(config, imageNameOf(event), event.tag), `no target is configured for ${imageNameOf(event)}`);
    }
    case 'promotion.requested':
      return promoteOrNone(
        routesOf(config, imageNameOf(event), event.tag, event.environment),
        event.environment === undefined
          ? `no target is configured for ${imageNameOf(event)}`
          : `${imageNameOf(event)} has no target in environment '${event.environment}'`,
      );
    case 'git.push': {
      const gitops = gitopsRepositoryOf(config, event.host, event.repository);
      if (gitops !== undefined) {
        if (event.refType !== 'branch' || refName(event.ref) !== gitops.baseBranch) {
          return { kind: 'none', reason: `a push to ${event.ref} of GitOps repository '${gitops.name}', not to its base branch '${gitops.baseBranch}'` };
        }
        return { kind: 'relay', routes: [{ repository: gitops.name, branch: gitops.baseBranch }] };
      }
      return buildWork(config, event);
    }
    case 'ci.succeeded':
      return buildWork(config, event);
    case 'change.merged': {
      const gitops = gitopsRepositoryOf(config, event.host, event.repository);
      if (gitops === undefined) return { kind: 'none', reason: `${event.repository} is not a configured GitOps repository` };
      if (!isHoistBranch(config, gitops.name, event.sourceBranch)) {
        return { kind: 'none', reason: `'${event.sourceBranch}' is not a branch Hoist opens pull requests from` };
      }
      return { kind: 'relay', routes: [{ repository: gitops.name, branch: event.targetBranch }] };
    }
    case 'gate.passed': {
      const routes = routesOf(config, imageNameOf(event), event.tag, event.environment);
      return promoteOrNone(routes, `${imageNameOf(event)} has no target in environment '${event.environment}' any more`);
    }
    case 'approval.decided': {
      const repository = config.repositories.find((r) => r.name === event.repository);
      if (repository === undefined) return { kind: 'none', reason: `no GitOps repository named '${event.repository}'` };
      // Decided in the base branch's group: a merge lands there, after what is queued before it.
      return { kind: 'decide', routes: [{ repository: repository.name, branch: repository.baseBranch }] };
    }
  }
}

/**
 * Who may announce an image through a Git host's package event: the hosts and
 * repositories its `from` lists, or, without `from`, the repository the
 * package belongs to (the image path is that repository, or lies below it).
 * Registry events (ECR) come from AWS and are believed.
 */
function announcerRefusal(config: PromotionConfig, event: Extract<HoistEvent, { type: 'image.published' }>): string | undefined {
  const host = event.reportedBy.host;
  if (host !== 'github' && host !== 'gitlab' && host !== 'gitea') return undefined;
  const announcer = event.reportedBy.repository?.toLowerCase();
  const image = imageNameOf(event);
  const sources = imagesMatching(config, image).flatMap((i) => i.from);
  if (sources.length > 0) {
    const allowed = sources.some((s) => s.host === host && s.repository.toLowerCase() === announcer);
    return allowed ? undefined : `${host} ${announcer ?? 'an unlinked package'} is not in the 'from' of ${image}`;
  }
  const path = event.repository.toLowerCase();
  if (announcer !== undefined && (path === announcer || path.startsWith(`${announcer}/`))) return undefined;
  return `${image} is not a package of ${announcer ?? 'the announcing repository'}; list the repository in the image's 'from' to let it announce`;
}

function buildWork(config: PromotionConfig, event: Extract<HoistEvent, { type: 'ci.succeeded' | 'git.push' }>): Work {
  const { builds, reasons } = buildsAnnouncedBy(config, event);
  if (builds.length === 0) {
    const what = event.type === 'ci.succeeded' ? 'CI run' : `${event.refType} push`;
    return { kind: 'none', reason: reasons.length > 0 ? reasons.join('; ') : `no image lists this ${what} of ${event.host} ${event.repository} in its 'from'` };
  }
  const routes = new Map<string, Route>();
  for (const build of builds) for (const route of routesOf(config, build.image, build.tag)) routes.set(`${route.repository}\u0000${route.branch}`, route);
  return promoteOrNone([...routes.values()], `no target is configured for ${builds.map((b) => b.image).join(', ')}`);
}

const promoteOrNone = (routes: readonly Route[], reason: string): Work => (routes.length === 0 ? { kind: 'none', reason } : { kind: 'promote', routes });

/**
 * The branches an image tag will be written to: one per configured target
 * branch, and `*` for each repository with marker files (their targets are
 * known only once the files are read).
 */
export function routesOf(config: PromotionConfig, image: string, tag: string, environment?: string): Route[] {
  const routes = new Map<string, Route>();
  // A new tag goes to the environments that follow no other; the rest wait for their gates.
  const reached = configuredTargets(config, image, tag).filter((t) => (environment === undefined ? t.after === undefined : t.environment === environment));
  if (environment !== undefined)
    return [...new Map(reached.map((t) => [`${t.repository.name}\u0000${t.branch}`, { repository: t.repository.name, branch: t.branch }])).values()];
  for (const target of reached) {
    routes.set(`${target.repository.name}\u0000${target.branch}`, { repository: target.repository.name, branch: target.branch });
  }
  for (const repository of config.repositories.filter((r) => r.markerFiles.length > 0)) {
    routes.set(`${repository.name}\u0000*`, { repository: repository.name, branch: '*' });
  }
  return [...routes.values()];
}

/** Whether a branch is one Hoist opens PR/MRs from in a repository (for any tag). */
function isHoistBranch(config: PromotionConfig, repository: string, branch: string): boolean {
  return configuredTargetsOfRepository(config, repository).some((t) => t.branchPattern.test(branch));
}

/** What a batch of queued envelopes carries: image updates to plan, GitOps changes to relay, and why the rest does nothing. */
export interface BatchWork {
  readonly updates: ImageUpdate[];
  readonly relays: EventEnvelope[];
  readonly noops: NoOp[];
}

/** Splits queued envelopes into image updates, relays and no-ops with their reasons. */
export function batchWorkOf(config: PromotionConfig, envelopes: readonly EventEnvelope[]): BatchWork {
  const updates: ImageUpdate[] = [];
  const relays: EventEnvelope[] = [];
  const noops: NoOp[] = [];
  for (const envelope of envelopes) {
    const event = envelope.event;
    const route = envelope.route ? { route: envelope.route } : {};
    const noop = (image: string, tag: string, reason: string) => noops.push({ image, tag, envelopeIds: [envelope.id], reason });
    switch (event.type) {
      case 'image.published':
        if (event.tag === undefined) {
          noop(imageNameOf(event), event.digest ?? '', 'image pushed without a tag');
          break;
        }
        updates.push({
          image: imageNameOf(event),
          tag: event.tag,
          ...(event.digest ? { digest: event.digest } : {}),
          pushedAt: event.pushedAt,
          source: `${event.reportedBy.host} ${event.reportedBy.event}`,
          envelopeId: envelope.id,
          ...route,
        });
        break;
      case 'promotion.requested':
        updates.push({
          image: imageNameOf(event),
          tag: event.tag,
          ...(event.digest ? { digest: event.digest } : {}),
          pushedAt: event.requestedAt,
          source: event.source,
          envelopeId: envelope.id,
          values: event.values,
          ...(event.environment ? { environment: event.environment } : {}),
          ...route,
        });
        break;
      case 'ci.succeeded':
      case 'git.push': {
        if (event.type === 'git.push' && gitopsRepositoryOf(config, event.host, event.repository) !== undefined) {
          // Intake routed it only when it is a push to the base branch: a relay.
          relays.push(envelope);
          break;
        }
        const { builds, reasons } = buildsAnnouncedBy(config, event);
        if (builds.length === 0) noop('', '', reasons.join('; ') || `${event.type} from ${event.repository} announces no configured image`);
        for (const build of builds) {
          updates.push({
            image: build.image,
            tag: build.tag,
            pushedAt: envelope.receivedAt,
            source: build.source,
            envelopeId: envelope.id,
            verify: build.verify,
            commit: build.commit,
            from: build.from,
            ...route,
          });
        }
        break;
      }
      case 'gate.passed':
        updates.push({
          image: imageNameOf(event),
          tag: event.tag,
          ...(event.digest ? { digest: event.digest } : {}),
          pushedAt: event.pushedAt,
          source: `the ${event.after} gate`,
          envelopeId: envelope.id,
          environment: event.environment,
          ...route,
        });
        break;
      case 'approval.decided':
        // Handled apart: a decision merges or closes a PR/MR, it plans nothing.
        break;
      case 'change.merged':
        if (workOf(config, event).kind === 'relay') relays.push(envelope);
        else noop('', '', `merged ${event.repository}#${event.number} is not a Hoist pull request`);
        break;
    }
  }
  return { updates, relays, noops };
}
