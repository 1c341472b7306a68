import { describe, expect, it } from 'vitest';
import { decideTag, newestCandidate, parsePolicyShorthand, policyAccepts, type TagPolicy } from '../../../../lambdas/core/promotion/tag-policy';

const semver1: TagPolicy = { type: 'semver', range: '^1', prerelease: false };

describe('policy: semver', () => {
  it('accepts versions in range, with or without a leading v, and no pre-releases unless asked', () => {
    expect(policyAccepts(semver1, '1.4.3')).toBe(true);
    expect(policyAccepts(semver1, 'v1.4.3')).toBe(true);
    expect(policyAccepts(semver1, '2.0.0')).toBe(false);
    expect(policyAccepts(semver1, '1.5.0-rc.1')).toBe(false);
    expect(policyAccepts({ ...semver1, prerelease: true }, '1.5.0-rc.1')).toBe(true);
    expect(policyAccepts(semver1, 'latest')).toBe(false);
  });

  it('updates to a newer version and keeps the current tag when the new one is older', () => {
    expect(decideTag(semver1, { tag: '1.4.2' }, { tag: '1.4.3' })).toEqual({ update: true });
    expect(decideTag(semver1, { tag: '1.10.0' }, { tag: '1.9.0' })).toEqual({
      update: false,
      reason: "'1.10.0' is newer than '1.9.0' under semver ^1; not downgrading",
    });
    expect(decideTag(semver1, { tag: '1.4.3' }, { tag: '1.4.3' })).toEqual({ update: false, reason: "already at '1.4.3'" });
    expect(decideTag(semver1, { tag: '1.4.3' }, { tag: '2.0.0' })).toEqual({ update: false, reason: "policy semver ^1 rejects tag '2.0.0'" });
  });

  it('moves a target off a tag the policy does not accept', () => {
    expect(decideTag(semver1, { tag: 'latest' }, { tag: '1.0.0' })).toEqual({ update: true });
  });
});

describe('policy: regex', () => {
  const builds: TagPolicy = { type: 'regex', pattern: '^build-(?<order>\\d+)$' };

  it('orders by the numeric order group, not as text', () => {
    expect(decideTag(builds, { tag: 'build-9' }, { tag: 'build-10' })).toEqual({ update: true });
    expect(decideTag(builds, { tag: 'build-10' }, { tag: 'build-9' }).update).toBe(false);
    expect(newestCandidate(builds, [{ tag: 'build-9' }, { tag: 'build-100' }, { tag: 'build-11' }, { tag: 'main' }])?.tag).toBe('build-100');
  });

  it('orders sha tags by push time', () => {
    const shas: TagPolicy = { type: 'regex', pattern: '^sha-[0-9a-f]{7,}$' };
    const newest = newestCandidate(shas, [
      { tag: 'sha-aaaaaaa', pushedAt: '2026-11-23T08:00:00Z' },
      { tag: 'sha-bbbbbbb', pushedAt: '2026-11-23T09:00:00Z' },
      { tag: 'sha-0000000', pushedAt: '2026-11-23T07:00:00Z' },
    ]);
    expect(newest?.tag).toBe('sha-bbbbbbb');
  });
});

describe('policy: latest', () => {
  it('lets a new push replace a tag whose push time is unknown', () => {
    expect(decideTag({ type: 'latest' }, { tag: 'abc' }, { tag: 'def', pushedAt: '2026-11-23T08:00:00Z' })).toEqual({ update: true });
  });

  it('never moves back to a tag pushed before the current one', () => {
    const current = { tag: 'sha-eac743d', pushedAt: '2026-11-23T09:00:00Z' };
    const late = { tag: 'sha-d8bed4a', pushedAt: '2026-11-23T08:00:00Z' };
    expect(decideTag({ type: 'latest' }, current, late)).toEqual({
      update: false,
      reason:
        "'sha-eac743d' is newer than 'sha-d8bed4a' under latest (pushed 2026-11-23T09:00:00Z, after 'sha-d8bed4a' at 2026-11-23T08:00:00Z); not downgrading",
    });
    expect(decideTag({ type: 'regex', pattern: '^sha-[0-9a-f]{7}$' }, current, late).update).toBe(false);
    expect(decideTag({ type: 'latest' }, late, current)).toEqual({ update: true });
  });
});

describe('policy: short forms', () => {
  it('parses the marker and config short forms', () => {
    expect(parsePolicyShorthand('semver:^1')).toEqual({ type: 'semver', range: '^1', prerelease: false });
    expect(parsePolicyShorthand('semver:>=2.0.0-0:prerelease')).toEqual({ type: 'semver', range: '>=2.0.0-0', prerelease: true });
    expect(parsePolicyShorthand('regex:^v(?<order>\\d+)$')).toEqual({ type: 'regex', pattern: '^v(?<order>\\d+)$' });
    expect(parsePolicyShorthand('latest')).toEqual({ type: 'latest' });
    expect(() => parsePolicyShorthand('newest')).toThrowError(/policy 'newest': .*expected semver\[:range\], regex:<pattern> or latest/);
    expect(() => parsePolicyShorthand('semver:not a range!')).toThrowError(/not a valid semver range/);
  });
});
