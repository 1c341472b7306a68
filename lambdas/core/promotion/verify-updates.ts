import { RetryLaterError } from '../../shared/errors';
import type { PromotionConfig } from '../config/promotion-config';
import type { ImageRegistry, WarningLog } from '../ports';
import type { FailedTarget, ImageUpdate } from './plan-promotions';

export interface VerifyDeps {
  readonly config: PromotionConfig;
  readonly imageRegistry?: ImageRegistry;
  readonly log: WarningLog;
  readonly now: () => Date;
}

/**
 * Checks that each tag a Git host announced exists in its registry before it
 * is written, and takes its digest and push time from there. A pipeline often
 * ends before its push job does: while a tag is missing and the wait
 * (`registry.waitMinutes` from the event) lasts, the whole batch is retried
 * later (a RetryLaterError, so the queue keeps its order); after it, the
 * update fails with the reason.
 */
export async function verifyUpdates(updates: readonly ImageUpdate[], deps: VerifyDeps): Promise<{ updates: ImageUpdate[]; failures: FailedTarget[] }> {
  const verified: ImageUpdate[] = [];
  const failures: FailedTarget[] = [];
  const missing: ImageUpdate[] = [];
  for (const update of updates) {
    if (update.verify !== true) {
      verified.push(update);
      continue;
    }
    if (deps.imageRegistry === undefined) {
      deps.log.warn('no registry client configured; the tag is written unverified', { image: update.image, tag: update.tag });
      verified.push({ ...update, verify: false });
      continue;
    }
    const info = await deps.imageRegistry.resolve(update.image, update.tag);
    if (info !== undefined) {
      verified.push({ ...update, verify: false, digest: update.digest ?? info.digest, ...(info.pushedAt ? { pushedAt: info.pushedAt } : {}) });
      continue;
    }
    const waitedMs = deps.now().getTime() - Date.parse(update.pushedAt);
    if (waitedMs < deps.config.registry.waitMinutes * 60_000) missing.push(update);
    else
      failures.push({
        image: update.image,
        tag: update.tag,
        reason: `${update.image}:${update.tag} is not in its registry ${Math.round(waitedMs / 60_000)} minutes after ${update.source}; gave up waiting`,
        envelopeIds: [update.envelopeId],
      });
  }
  if (missing.length > 0) {
    throw new RetryLaterError(
      `waiting for ${missing.map((u) => `${u.image}:${u.tag}`).join(', ')} to appear in the registry`,
      deps.config.registry.retrySeconds,
    );
  }
  return { updates: verified, failures };
}
