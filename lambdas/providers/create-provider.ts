import type { RepositoryConfig } from '../core/config/promotion-config';
import { TerminalError } from '../shared/errors';
import { GitCliProvider } from './git-cli-provider';
import type { GitProvider } from './git-provider';
import { GitHubProvider } from './github-provider';
import { GitLabProvider } from './gitlab-provider';
import { GiteaProvider } from './gitea-provider';

/** Resolves a repository's access token (Secrets Manager in AWS, an environment variable locally). */
export type TokenLookup = (repository: RepositoryConfig) => Promise<string | undefined>;

/** Builds the provider a repository's `provider` names. */
export function createProvider(repository: RepositoryConfig, token: string | undefined): GitProvider {
  switch (repository.provider) {
    case 'git':
      return new GitCliProvider({ url: repository.url, ...(token ? { token } : {}) });
    case 'github':
      return new GitHubProvider({ url: repository.url, token: required(repository, token), ...(repository.apiUrl ? { apiUrl: repository.apiUrl } : {}) });
    case 'gitlab':
      return new GitLabProvider({ url: repository.url, token: required(repository, token), ...(repository.apiUrl ? { apiUrl: repository.apiUrl } : {}) });
    case 'gitea':
      return new GiteaProvider({ url: repository.url, token: required(repository, token), ...(repository.apiUrl ? { apiUrl: repository.apiUrl } : {}) });
  }
}

function required(repository: RepositoryConfig, token: string | undefined): string {
  if (token === undefined) throw new TerminalError(`repository '${repository.name}': the ${repository.provider} provider needs a token (credentials.secretName or credentials.env)`);
  return token;
}

/** One provider per repository, built on first use and reused afterwards. */
export function providerCache(tokens: TokenLookup, create: typeof createProvider = createProvider): (repository: RepositoryConfig) => Promise<GitProvider> {
  const providers = new Map<string, Promise<GitProvider>>();
  return (repository) => {
    let provider = providers.get(repository.name);
    if (provider === undefined) {
      provider = tokens(repository).then((token) => create(repository, token));
      providers.set(repository.name, provider);
      provider.catch(() => providers.delete(repository.name));
    }
    return provider;
  };
}
