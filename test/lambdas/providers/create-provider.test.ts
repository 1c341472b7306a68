import { describe, expect, it } from 'vitest';
import { RepositoryConfigSchema } from '../../../lambdas/core/config/promotion-config';
import { createProvider, providerCache } from '../../../lambdas/providers/create-provider';
import { GitCliProvider } from '../../../lambdas/providers/git-cli-provider';
import { GiteaProvider } from '../../../lambdas/providers/gitea-provider';
import { GitHubProvider } from '../../../lambdas/providers/github-provider';
import { GitLabProvider } from '../../../lambdas/providers/gitlab-provider';
import { TerminalError } from '../../../lambdas/shared/errors';

const repo = (provider: string, url: string) => RepositoryConfigSchema.parse({ name: 'gitops', provider, url });

describe('provider registry', () => {
  it('builds the provider the repository names', async () => {
    expect(await createProvider(repo('git', '/srv/gitops.git'), undefined)).toBeInstanceOf(GitCliProvider);
    expect(await createProvider(repo('github', 'https://github.com/o/r.git'), 'token')).toBeInstanceOf(GitHubProvider);
  });

  it('refuses an API provider without a token, naming the repository', async () => {
    await expect(createProvider(repo('gitlab', 'https://gitlab.com/g/p.git'), undefined)).rejects.toBeInstanceOf(TerminalError);
    await expect(createProvider(repo('gitea', 'https://gitea.example.com/o/r.git'), undefined)).rejects.toThrowError(
      "repository 'gitops': the gitea provider needs a token (credentials.secretName or credentials.env)",
    );
  });

  it("builds each repository's provider once, and again after a failure", async () => {
    let lookups = 0;
    let fail = true;
    const cache = providerCache(async () => {
      lookups += 1;
      if (fail) throw new Error('secret unavailable');
      return 'token';
    });
    const github = repo('github', 'https://github.com/o/r.git');
    await expect(cache(github)).rejects.toThrowError('secret unavailable');
    fail = false;
    const first = await cache(github);
    expect(await cache(github)).toBe(first);
    expect(lookups).toBe(2);
  });

  it('refuses a URL it cannot use without repeating the credentials in it', () => {
    const build = [
      () => new GitHubProvider({ url: 'https://deploy:s3cret@ghe.example.com/only', token: 't' }),
      () => new GitLabProvider({ url: 'ftp://deploy:s3cret@gitlab.example.com', token: 't' }),
      () => new GiteaProvider({ url: 'https://deploy:s3cret@gitea.example.com', token: 't' }),
      () => new GitCliProvider({ url: 'https://deploy:s3cret@[gitops' }),
    ];
    for (const create of build) {
      expect(create).toThrowError(TerminalError);
      expect(create).toThrowError(/\/\/\*\*\*@/);
      expect(create).not.toThrowError(/s3cret/);
    }
  });
});
