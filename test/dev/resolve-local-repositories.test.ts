import { describe, expect, it } from 'vitest';
import { resolveLocalRepositoryUrls } from '../../dev/resolve-local-repositories';
import { parsePromotionConfig } from '../../lambdas/core/config/parse-promotion-config';

const configWith = (repositories: Array<{ name: string; provider: string; url: string }>) =>
  parsePromotionConfig(JSON.stringify({ repositories, images: [] }), 'test.yaml');

describe('dev config: local repository paths', () => {
  it('resolves a relative git path against the config directory and leaves every other URL alone', () => {
    const config = configWith([
      { name: 'relative', provider: 'git', url: './gitops.git' },
      { name: 'bare', provider: 'git', url: 'gitops.git' },
      { name: 'parent', provider: 'git', url: '../shared/gitops.git' },
      { name: 'absolute', provider: 'git', url: '/srv/git/gitops.git' },
      { name: 'https', provider: 'git', url: 'https://git.example/org/gitops.git' },
      { name: 'scp', provider: 'git', url: 'git@git.example:org/gitops.git' },
      { name: 'file', provider: 'git', url: 'file:///srv/git/gitops.git' },
      { name: 'hosted', provider: 'github', url: 'org/gitops' },
    ]);
    const urls = resolveLocalRepositoryUrls(config, '/work/checkout/.hoist').repositories.map((r) => [r.name, r.url]);
    expect(Object.fromEntries(urls)).toEqual({
      relative: '/work/checkout/.hoist/gitops.git',
      bare: '/work/checkout/.hoist/gitops.git',
      parent: '/work/checkout/shared/gitops.git',
      absolute: '/srv/git/gitops.git',
      https: 'https://git.example/org/gitops.git',
      scp: 'git@git.example:org/gitops.git',
      file: 'file:///srv/git/gitops.git',
      hosted: 'org/gitops',
    });
  });
});
