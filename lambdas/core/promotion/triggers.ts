import type { PromotionConfig } from '../config/promotion-config';
import { type EventEnvelope, type HoistEvent, imageNameOf, type Route } from '../events';
import type { ImageUpdate, NoOp } from './plan-promotions';
import { configuredTargets } from './targets';

/**
 * The one place that decides what work an event produces. Intake asks it
 * which GitOps branches an event goes to (and answers `ignored` with its
 * reason when there are none); the promoter asks it which image updates a
 * queued envelope carries.
 */

/** The work one event implies: image updates to plan, or the reason there is none. */
export type Work = { readonly kind: 'promote'; readonly routes: readonly Route[] } | { readonly kind: 'none'; readonly reason: string };

/** What an event implies under a config, decided without reading any file. */
export function workOf(config: PromotionConfig, event: HoistEvent): Work {
  if (event.type !== 'image.published') {
    return { kind: 'none', reason: `${event.type} events trigger no promotion; images are promoted from registry push events` };
  }
  if (event.tag === undefined) return { kind: 'none', reason: `${imageNameOf(event)} was pushed without a tag` };
  const routes = routesFor(config, event);
  if (routes.length === 0) return { kind: 'none', reason: `no target is configured for ${imageNameOf(event)}` };
  return { kind: 'promote', routes };
}

/**
 * The branches an image event will write to: one per configured target
 * branch, and `*` for each repository with marker files (their targets are
 * known only once the files are read). Empty for events that promote nothing.
 */
export function routesFor(config: PromotionConfig, event: HoistEvent): Route[] {
  if (event.type !== 'image.published' || event.tag === undefined) return [];
  const routes = new Map<string, Route>();
  for (const target of configuredTargets(config, imageNameOf(event))) {
    routes.set(`${target.repository.name}\u0000${target.branch}`, { repository: target.repository.name, branch: target.branch });
  }
  for (const repository of config.repositories.filter((r) => r.markerFiles.length > 0)) {
    routes.set(`${repository.name}\u0000*`, { repository: repository.name, branch: '*' });
  }
  return [...routes.values()];
}

/** The image updates among queued envelopes, and a no-op with its reason for every other one. */
export function imageUpdatesOf(envelopes: readonly EventEnvelope[]): { updates: ImageUpdate[]; noops: NoOp[] } {
  const updates: ImageUpdate[] = [];
  const noops: NoOp[] = [];
  for (const envelope of envelopes) {
    const event = envelope.event;
    if (event.type !== 'image.published') {
      noops.push({ image: '', tag: '', envelopeIds: [envelope.id], reason: `${event.type} events trigger no promotion` });
      continue;
    }
    if (event.tag === undefined) {
      noops.push({ image: imageNameOf(event), tag: event.digest ?? '', envelopeIds: [envelope.id], reason: 'image pushed without a tag' });
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
