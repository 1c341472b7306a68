import type { RepositoryConfig } from '../core/config/promotion-config';
import type { GitProvider } from '../core/ports';
import { TerminalError } from '../shared/errors';

/** Resolves a repository's access token (Secrets Manager in AWS, an environment variable locally). */
export type TokenLookup = (repository: RepositoryConfig) => Promise<string | undefined>;

/**
 * Builds the provider a repository's `provider` names. Each provider module
 * is imported on first use, so a cold start only loads the host SDKs the
 * configuration needs (Octokit and gitbeaker are the bulk of the bundle).
 */
export async function createProvider(repository: RepositoryConfig, token: string | undefined): Promise<GitProvider> {
  const apiUrl = repository.apiUrl ? { apiUrl: repository.apiUrl } : {};
  switch (repository.provider) {
    case 'git': {
      const { GitCliProvider } = await import('./git-cli-provider');
      return new GitCliProvider({ url: repository.url, ...(token ? { token } : {}) });
    }
    case 'github': {
      const { GitHubProvider } = await import('./github-provider');
      return new GitHubProvider({ url: repository.url, token: required(repository, token), ...apiUrl });
    }
    case 'gitlab': {
      const { GitLabProvider } = await import('./gitlab-provider');
      return new GitLabProvider({ url: repository.url, token: required(repository, token), ...apiUrl });
    }
    case 'gitea': {
      const { GiteaProvider } = await import('./gitea-provider');
      return new GiteaProvider({ url: repository.url, token: required(repository, token), ...apiUrl });
    }
  }
}

function required(repository: RepositoryConfig, token: string | undefined): string {
  if (token === undefined)
    throw new TerminalError(`repository '${repository.name}': the ${repository.provider} provider needs a token (credentials.secretName or credentials.env)`);
  return token;
}

/** One provider per repository, built on first use and reused afterwards. */
export function providerCache(
  tokens: TokenLookup,
  create: (repository: RepositoryConfig, token: string | undefined) => GitProvider | Promise<GitProvider> = createProvider,
): (repository: RepositoryConfig) => Promise<GitProvider> {
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
