import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** GitHub's form of an HMAC-SHA256 signature, lower-case hex as GitHub and Gitea send it. */
const HMAC_SHA256_SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/**
 * Checks an HMAC-SHA256 signature (`sha256=<hex>`) of the raw body against
 * each candidate secret, in constant time per comparison (GitHub's "Validating
 * webhook deliveries"). The body is hashed as UTF-8 text, which is the bytes
 * that were sent when they are UTF-8 (a JSON body is); only the signature's
 * form is checked before the digests are compared. An empty secret is never
 * a key: anybody could sign with it.
 */
export function verifyHmacSha256(secrets: readonly string[], rawBody: string, signature: string): boolean {
  const hex = HMAC_SHA256_SIGNATURE.exec(signature)?.[1];
  if (hex === undefined || rawBody === '') return false;
  const given = Buffer.from(hex, 'hex');
  for (const secret of secrets) {
    if (secret !== '' && timingSafeEqual(createHmac('sha256', secret).update(rawBody, 'utf8').digest(), given)) return true;
  }
  return false;
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
