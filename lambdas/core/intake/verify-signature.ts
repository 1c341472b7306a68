import { createHash, timingSafeEqual } from 'node:crypto';
import { verifyWithFallback } from '@octokit/webhooks-methods';

/**
 * Checks an HMAC-SHA256 signature (`sha256=<hex>`) of the raw body against
 * each candidate secret, in constant time per comparison.
 */
export async function verifyHmacSha256(secrets: readonly string[], rawBody: string, signature: string): Promise<boolean> {
  const [first, ...rest] = secrets;
  if (first === undefined || rawBody === '' || signature === '') return false;
  return (await verifyWithFallback(first, rawBody, signature, rest)) === true;
}

/**
 * Compares a shared token (GitLab's `X-Gitlab-Token`) with each candidate in
 * constant time. Digests are compared so that lengths leak nothing either.
 */
export function verifySharedToken(secrets: readonly string[], token: string): boolean {
  const given = createHash('sha256').update(token).digest();
  let match = false;
  for (const secret of secrets) {
    const expected = createHash('sha256').update(secret).digest();
    // No early exit: every candidate is compared.
    match = timingSafeEqual(given, expected) || match;
  }
  return match && token !== '';
}
