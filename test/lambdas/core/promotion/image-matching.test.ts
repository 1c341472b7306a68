import { describe, expect, it } from 'vitest';
import { PromotionConfigSchema } from '../../../../lambdas/core/config/promotion-config';
import { matchesImageGlob } from '../../../../lambdas/core/image-ref';
import { parsePolicyShorthand, policyAccepts } from '../../../../lambdas/core/promotion/tag-policy';
import { configuredTargets, imagesMatching } from '../../../../lambdas/core/promotion/targets';

const target = (environment: string, extra: Record<string, unknown> = {}) => ({
  repository: 'gitops',
  file: `apps/${environment}/values.yaml`,
  environment,
  ...extra,
});

const config = PromotionConfigSchema.parse({
  repositories: [{ name: 'gitops', provider: 'git', url: '/x' }],
  images: [
    { image: 'ghcr.io/team/*', policy: 'semver:^1', targets: [target('dev')] },
    { image: 'nginx', policy: 'semver:^1', targets: [target('edge')] },
    { image: 'ghcr.io/team/api', policy: 'semver:^1', targets: [target('prod', { mode: 'pull-request', branch: 'hoist/{environment}/{service}-{newTag}' })] },
    { image: 'ghcr.io/**', policy: 'latest', targets: [target('mirror')] },
    { image: 'GHCR.io/Team/API', policy: 'semver:^1', targets: [target('shouty')] },
  ],
});

describe('image matching: indexed, compiled once, same answers', () => {
  const names = [
    'ghcr.io/team/api',
    'ghcr.io/team/web',
    'ghcr.io/other/sub/api',
    'docker.io/library/nginx',
    'nginx',
    'index.docker.io/nginx',
    'quay.io/x',
    'GHCR.IO/team/api',
  ];

  it('matches the entries that matchesImageGlob matches, in config order, asked once or many times', () => {
    for (const name of [...names, ...names]) {
      expect(imagesMatching(config, name), name).toEqual(config.images.filter((entry) => matchesImageGlob(entry.image, name)));
    }
  });

  it('fills {newTag} in a branch name with each tag, however often the image comes', () => {
    const branches = (tag: string) => configuredTargets(config, 'ghcr.io/team/api', tag).map((t) => t.branch);
    expect(branches('1.4.2')).toContain('hoist/prod/api-1.4.2');
    expect(branches('1.4.3')).toContain('hoist/prod/api-1.4.3');
    expect(branches('1.4.3')).not.toContain('hoist/prod/api-1.4.2');
  });

  it('gives each call its own list', () => {
    const first = configuredTargets(config, 'ghcr.io/team/web', '1.0.0');
    first.pop();
    expect(configuredTargets(config, 'ghcr.io/team/web', '1.0.0')).toHaveLength(2);
  });
});

describe('tag policy: remembered verdicts', () => {
  it('answers per policy, not per policy object', () => {
    const loose = parsePolicyShorthand('semver:^1');
    const strict = parsePolicyShorthand('semver:~1.4');
    expect(policyAccepts(loose, '1.5.0')).toBe(true);
    expect(policyAccepts(strict, '1.5.0')).toBe(false);
    expect(policyAccepts(parsePolicyShorthand('semver:^1'), '1.5.0')).toBe(true);
    expect(policyAccepts(parsePolicyShorthand('semver:^1:prerelease'), '1.5.1-rc.1')).toBe(true);
    expect(policyAccepts(loose, '1.5.1-rc.1')).toBe(false);
    expect(policyAccepts(parsePolicyShorthand('regex:^build-\\d+$'), 'build-7')).toBe(true);
    expect(policyAccepts(parsePolicyShorthand('regex:^build-\\d+$'), 'v7')).toBe(false);
  });
});
