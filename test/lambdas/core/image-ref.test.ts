import { describe, expect, it } from 'vitest';
import { formatImageRef, parseImageRef } from '../../../lambdas/core/image-ref';

describe('image-ref: parseImageRef', () => {
  it.each([
    ['ghcr.io/octo-org/api:1.4.3', { name: 'ghcr.io/octo-org/api', tag: '1.4.3' }],
    ['localhost:5000/x', { name: 'localhost:5000/x' }],
    ['localhost:5000/x:v1', { name: 'localhost:5000/x', tag: 'v1' }],
    ['registry.gitlab.com/group/sub/name:main_2026', { name: 'registry.gitlab.com/group/sub/name', tag: 'main_2026' }],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.4.3@sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678',
      {
        name: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api',
        tag: '1.4.3',
        digest: 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678',
      },
    ],
    ['nginx', { name: 'nginx' }],
  ])('splits %s', (reference, parts) => {
    expect(parseImageRef(reference)).toEqual(parts);
    expect(formatImageRef(parseImageRef(reference))).toBe(reference);
  });

  it.each([
    ['a space', 'ghcr.io/octo-org/api:1.4.3 beta'],
    ['a newline inside', 'ghcr.io/octo-org/api:1.4.3\nSigned-off-by x'],
    ['a leading dot', 'ghcr.io/octo-org/api:.hidden'],
    ['a leading dash', 'ghcr.io/octo-org/api:-x'],
    ['129 characters', `ghcr.io/octo-org/api:v${'1'.repeat(128)}`],
    ['nothing after the colon', 'ghcr.io/octo-org/api:'],
  ])('flags a tag with %s and does not hand it on', (_, reference) => {
    const ref = parseImageRef(reference);
    expect(ref).toEqual({ name: 'ghcr.io/octo-org/api', malformed: ['tag'] });
    expect(formatImageRef(ref)).toBe('ghcr.io/octo-org/api');
  });

  it('flags a malformed digest and leaves it out', () => {
    expect(parseImageRef('team/api:1.0@sha256:short\nx')).toEqual({ name: 'team/api', tag: '1.0', malformed: ['digest'] });
  });

  it('flags a name outside the grammar but keeps it for matching', () => {
    expect(parseImageRef('ghcr.io/Octo-Org/../api:1.0')).toEqual({ name: 'ghcr.io/Octo-Org/../api', tag: '1.0', malformed: ['name'] });
  });
});
