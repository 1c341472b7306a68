import { ConflictError, ValidationError } from '../../shared/errors';
import type { ListedImage, RegistryImageLister } from '../ports';
import { enqueueEcrImage } from './enqueue-ecr-image';
import type { EnqueueOnceDeps } from './enqueue-once';
import { DEFAULT_RECONCILE_NEWEST } from './intake-defaults';
import { ecrImagePublished } from './parse-ecr-event';

export interface ReconcileEcrInput {
  /** The watched repositories as image names, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  readonly repositories: readonly string[];
  readonly lister: RegistryImageLister;
  /** Images (digests) per repository, newest first by push time. @default DEFAULT_RECONCILE_NEWEST */
  readonly newest?: number;
}

/** What a reconcile did, in numbers of image tags, with the reason for each one it did not queue. */
export interface ReconcileEcrResult {
  /** Tags the registry listed, over all repositories. */
  readonly listed: number;
  /** Tags of images older than the newest N, not looked at. */
  readonly older: number;
  /** Tags queued now: their push had not been queued by the event path (or an earlier reconcile). */
  readonly queued: number;
  /** Tags whose push was queued before: the ledger answered `duplicate`, or another delivery of it is in progress. */
  readonly alreadySeen: number;
  /** Tags that imply no work (no target is configured for the image …) or that the event model refuses. */
  readonly ignored: ReadonlyArray<{ readonly image: string; readonly reason: string }>;
  /** Repositories the registry could not list; the others were reconciled. */
  readonly failed: ReadonlyArray<{ readonly repository: string; readonly reason: string }>;
}

/**
 * Promotes what ECR's push events missed. EventBridge delivers them at most
 * a few times, and not always; this lists the newest images of each watched
 * repository and queues each tag as the `image.published` event its push
 * event would have been (reported by `ECR reconcile`), through the same
 * delivery key (`ecr:<registry>/<repository>:<tag>@<digest>`). A push the
 * event path queued is a duplicate here and queued once; one the ledger has
 * forgotten is queued again and planned as "already at" its tag.
 *
 * A queue that cannot be reached fails the whole run (it is retried on the
 * next schedule); a repository that cannot be listed fails alone.
 */
export async function reconcileEcr(input: ReconcileEcrInput, deps: EnqueueOnceDeps & { readonly now: () => Date }): Promise<ReconcileEcrResult> {
  const newest = input.newest ?? DEFAULT_RECONCILE_NEWEST;
  if (!Number.isInteger(newest) || newest < 1) throw new ValidationError(`reconcile: newest must be a whole number of at least 1, got ${newest}`);
  const counts = { listed: 0, older: 0, queued: 0, alreadySeen: 0 };
  const ignored: Array<{ image: string; reason: string }> = [];
  const failed: Array<{ repository: string; reason: string }> = [];

  for (const repositoryImage of [...new Set(input.repositories)]) {
    const slash = repositoryImage.indexOf('/');
    if (slash <= 0) {
      failed.push({ repository: repositoryImage, reason: 'expected <registry>/<repository>' });
      continue;
    }
    const registry = repositoryImage.slice(0, slash);
    const repository = repositoryImage.slice(slash + 1);
    let listed: readonly ListedImage[];
    try {
      listed = await input.lister.listTagged(repositoryImage);
    } catch (error) {
      failed.push({ repository: repositoryImage, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const selected = selectNewestImages(listed, newest);
    counts.listed += listed.length;
    counts.older += listed.length - selected.length;

    // Oldest first, so a repository's pushes are queued in the order they happened.
    for (const image of [...selected].reverse()) {
      const reference = `${repositoryImage}:${image.tag}@${image.digest}`;
      const event = ecrImagePublished(registry, repository, image, 'ECR reconcile');
      try {
        const result = await enqueueEcrImage(event, deps.now(), deps);
        if (result.status === 'queued') counts.queued += 1;
        else if (result.status === 'duplicate') counts.alreadySeen += 1;
        else ignored.push({ image: reference, reason: result.reason });
      } catch (error) {
        if (error instanceof ValidationError) {
          // A tag or name the event model refuses would be refused on the event path too.
          ignored.push({ image: reference, reason: error.message });
        } else if (error instanceof ConflictError) {
          // Another path holds the claim: it queues the push, or gives the claim back and the next run looks again.
          counts.alreadySeen += 1;
        } else {
          throw error;
        }
      }
    }
  }
  return { ...counts, ignored, failed };
}

/**
 * The tags of the `newest` most recently pushed images (distinct digests),
 * newest first. An image pushed under several tags counts once; ties in push
 * time fall back to the digest, then the tag, so the choice is stable.
 */
export function selectNewestImages(listed: readonly ListedImage[], newest: number): ListedImage[] {
  const byTime = [...listed].sort((a, b) => Date.parse(b.pushedAt) - Date.parse(a.pushedAt) || compareText(a.digest, b.digest) || compareText(a.tag, b.tag));
  const digests = new Set<string>();
  for (const image of byTime) {
    if (digests.size === newest) break;
    digests.add(image.digest);
  }
  return byTime.filter((image) => digests.has(image.digest));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
