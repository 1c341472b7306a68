import type { RepositoryConfig } from '../config/promotion-config';

/** A link to a commit on the host's web UI, when the repository URL says which host. */
export function commitLink(repository: RepositoryConfig, sha: string): string | undefined {
  const web = repository.url.replace(/\.git$/, '').replace(/^git@([^:]+):/, 'https://$1/');
  if (!/^https?:\/\//.test(web)) return undefined;
  // Never link with credentials that a clone URL may carry.
  const url = new URL(web);
  url.username = '';
  url.password = '';
  const base = url.toString().replace(/\/$/, '');
  return repository.provider === 'gitlab' ? `${base}/-/commit/${sha}` : `${base}/commit/${sha}`;
}
