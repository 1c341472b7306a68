import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The digest of a made-up image named `seed`: `sha256:` and 64 hex. */
export const digestOf = (seed: string): string => `sha256:${createHash('sha256').update(seed).digest('hex')}`;

/**
 * The example ECR push (`dev/examples/ecr-push.json`, team/api 1.4.3) as the
 * event EventBridge would deliver with event id `id`, parsed (a fresh copy).
 * Since the ledger keys an ECR push by the image, a test that needs a
 * delivery of its own gives it another digest or tag, not only another id.
 */
export function ecrPushEvent(id: string, image: { readonly tag?: string; readonly digest?: string } = {}): Record<string, any> {
  const event = JSON.parse(readFileSync('dev/examples/ecr-push.json', 'utf8')) as Record<string, any>;
  event.id = id;
  if (image.tag !== undefined) event.detail['image-tag'] = image.tag;
  if (image.digest !== undefined) event.detail['image-digest'] = image.digest;
  return event;
}
