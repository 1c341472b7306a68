import { isAbsolute, resolve } from 'node:path';
import type { PromotionConfig } from '../lambdas/core/config/promotion-config';

/**
 * Whether git reads `url` as a path on this machine: not `scheme://…`, and
 * not the scp-like `host:path` (a colon before the first slash), as git itself decides.
 */
function isLocalPath(url: string): boolean {
  return !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) && !/^[^/]*:/.test(url);
}

/**
 * Resolves the relative local paths of `git` repositories against the
 * config file's directory, so a config that sits next to its repository
 * (the dev server's `.hoist/`) keeps pointing at its own copy when the
 * directory is copied or moved. Other URLs are left as they are.
 */
export function resolveLocalRepositoryUrls(config: PromotionConfig, configDir: string): PromotionConfig {
  return {
    ...config,
    repositories: config.repositories.map((repository) =>
      repository.provider === 'git' && isLocalPath(repository.url) && !isAbsolute(repository.url)
        ? { ...repository, url: resolve(configDir, repository.url) }
        : repository,
    ),
  };
}
