import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { verifyHmacSha256, verifySharedToken } from '../../../../lambdas/core/intake/verify-signature';

// The test vector of GitHub's "Validating webhook deliveries": this secret and payload give this signature.
const GITHUB_SECRET = "It's a Secret to Everybody";
const GITHUB_PAYLOAD = 'Hello, World!';
const GITHUB_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifyHmacSha256', () => {
  it("accepts GitHub's documented example and refuses it with another secret or payload", () => {
    expect(verifyHmacSha256([GITHUB_SECRET], GITHUB_PAYLOAD, GITHUB_SIGNATURE)).toBe(true);
    expect(verifyHmacSha256(['another secret'], GITHUB_PAYLOAD, GITHUB_SIGNATURE)).toBe(false);
    expect(verifyHmacSha256([GITHUB_SECRET], 'Hello, World?', GITHUB_SIGNATURE)).toBe(false);
  });

  it('signs the body as UTF-8, as @octokit/webhooks-methods does', async () => {
    const body = '{"ref":"refs/heads/main","pusher":{"name":"Zoë 🚀"}}';
    expect(verifyHmacSha256(['s3cret'], body, await sign('s3cret', body))).toBe(true);
  });

  it('accepts any secret of a rotation list, whichever its place', () => {
    expect(verifyHmacSha256(['new secret', GITHUB_SECRET], GITHUB_PAYLOAD, GITHUB_SIGNATURE)).toBe(true);
    expect(verifyHmacSha256([GITHUB_SECRET, 'new secret'], GITHUB_PAYLOAD, GITHUB_SIGNATURE)).toBe(true);
    expect(verifyHmacSha256([], GITHUB_PAYLOAD, GITHUB_SIGNATURE)).toBe(false);
    // An empty key is one anybody can sign with: a delivery signed so is refused.
    const signedWithEmptyKey = `sha256=${createHmac('sha256', '').update(GITHUB_PAYLOAD).digest('hex')}`;
    expect(verifyHmacSha256([''], GITHUB_PAYLOAD, signedWithEmptyKey)).toBe(false);
    expect(verifyHmacSha256(['', GITHUB_SECRET], GITHUB_PAYLOAD, signedWithEmptyKey)).toBe(false);
  });

  it.each([
    ['no prefix', GITHUB_SIGNATURE.slice('sha256='.length)],
    ['another algorithm', GITHUB_SIGNATURE.replace('sha256=', 'sha1=')],
    ['upper-case hex', GITHUB_SIGNATURE.toUpperCase().replace('SHA256=', 'sha256=')],
    ['one digit short', GITHUB_SIGNATURE.slice(0, -1)],
    ['one digit more', `${GITHUB_SIGNATURE}0`],
    // Buffer.from(hex, 'hex') stops at the first bad digit: the form is checked before decoding.
    ['a digit that is not hex', `${GITHUB_SIGNATURE.slice(0, -1)}g`],
    ['only the first half', `sha256=${GITHUB_SIGNATURE.slice(7, 39)}`],
    ['empty', ''],
  ])('refuses a signature with %s', (_, signature) => {
    expect(verifyHmacSha256([GITHUB_SECRET], GITHUB_PAYLOAD, signature)).toBe(false);
  });

  it('refuses an empty body, even correctly signed', () => {
    expect(verifyHmacSha256([GITHUB_SECRET], '', `sha256=${createHmac('sha256', GITHUB_SECRET).update('').digest('hex')}`)).toBe(false);
  });
});

describe('verifySharedToken', () => {
  it('accepts the token or a rotated one, and refuses anything else', () => {
    expect(verifySharedToken(['old', 'new'], 'new')).toBe(true);
    expect(verifySharedToken(['old', 'new'], 'old')).toBe(true);
    expect(verifySharedToken(['old', 'new'], 'neww')).toBe(false);
    expect(verifySharedToken([''], '')).toBe(false);
  });
});
