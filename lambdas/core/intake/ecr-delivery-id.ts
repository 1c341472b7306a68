import { createHash } from 'node:crypto';
import type { ImagePublished } from '../events';
import { imageNameOf } from '../ordering-key-of';

/**
 * Longest ECR delivery id kept as it is. A typical reference (an account
 * registry, a repository, a tag and a sha256 digest) is 130-200 characters;
 * the ledger's DynamoDB key allows 2,048 bytes and SQS ids are hashed by the
 * queue client when over 128, so the bound only keeps keys, log lines and
 * audit ids short for the rare very long name.
 */
export const MAX_ECR_DELIVERY_ID_LENGTH = 256;

/**
 * The delivery id of an ECR image push: the pushed image itself,
 * `<registry>/<repository>[:<tag>][@<digest>]` (its SHA-256 as
 * `sha256-<hex>` when longer than MAX_ECR_DELIVERY_ID_LENGTH). EventBridge's
 * event and the scheduled reconcile of the same push name the same image, so
 * they are one delivery to the ledger and the second is a duplicate; a tag
 * pushed again with another digest is a new delivery.
 */
export function ecrDeliveryId(image: Pick<ImagePublished, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  const reference = `${imageNameOf(image)}${image.tag === undefined ? '' : `:${image.tag}`}${image.digest === undefined ? '' : `@${image.digest}`}`;
  if (reference.length <= MAX_ECR_DELIVERY_ID_LENGTH) return reference;
  return `sha256-${createHash('sha256').update(reference).digest('hex')}`;
}
