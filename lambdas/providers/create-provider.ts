import type { RepositoryConfig } from '../core/config/promotion-config';
import { TerminalError } from '../shared/errors';
import { GitCliProvider } from './git-cli-provider';
import type { GitProvider } from './git-provider';
import { GitHubProvider } from './github-provider';

/** Resolves a repository's access token (Secrets Manager in AWS, an environment variable locally). */
export type TokenLookup = (repository: RepositoryConfig) => Promise<string | undefined>;

/** Builds the provider a repository's `provider` names. */
export function createProvider(repository: RepositoryConfig, token: string | undefined): GitProvider {
  switch (repository.provider) {
    case 'git':
      return new GitCliProvider({ url: repository.url, ...(token ? { token } : {}) });
    case 'github':
      if (token === undefined) throw new TerminalError(`repository '${repository.name}': the github provider needs a token (credentials.secretName or credentials.env)`);
      return new GitHubProvider({ url: repository.url, token, ...(repository.apiUrl ? { apiUrl: repository.apiUrl } : {}) });
    case 'gitlab':
    case 'gitea':
      throw new TerminalError(`repository '${repository.name}': the ${repository.provider} provider is not implemented yet; use provider 'git' with an HTTPS token meanwhile`);
  }
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
