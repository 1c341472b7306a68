import { ConflictError, TerminalError } from '../../shared/errors';
import type { PromotionConfig, RepositoryConfig } from '../config/promotion-config';
import type { GitProvider, PullRequestInfo, WarningLog } from '../ports';
import { commitLink } from '../promotion/commit-link';
import { fileReadOf, viewOf } from '../promotion/read-workspace';
import { fillTemplate } from './map-secret';
import { renderSecretManifest, renderSecretStores, type SecretManifestTarget, updateSecretManifest } from './secret-manifests';
import type { SecretSyncConfig } from './secret-sync-config';

/** The commit (and PR/MR) that brought manifests in line. */
export interface ManifestChange {
  readonly repository: string;
  readonly branch: string;
  readonly commit: string;
  readonly commitUrl?: string;
  readonly pullRequest?: PullRequestInfo;
  readonly files: readonly string[];
  readonly warnings: readonly string[];
}

export interface ManifestDeps {
  readonly config: PromotionConfig;
  readonly providerFor: (repository: RepositoryConfig) => Promise<GitProvider>;
  readonly log: WarningLog;
  readonly sleep: (ms: number) => Promise<void>;
  readonly maxAttempts?: number;
  readonly backoffMs?: (attempt: number) => number;
}

/** The manifest file of a service and environment. */
export const manifestPathOf = (settings: SecretSyncConfig, target: Pick<SecretManifestTarget, 'service' | 'environment'>): string =>
  fillTemplate(settings.manifests.file, { service: target.service, environment: target.environment });

/**
 * Brings the manifests of `targets` in line in one commit, through the same
 * provider, mode and conflict rules as image bumps: each file is read at the
 * commit it will be committed onto; a missing file is rendered, an existing
 * one edited in place (keys added or removed), the shared stores file
 * written only when missing. A branch that moved means read, plan and
 * commit again. Files that cannot be edited safely come back as `refused`.
 */
export async function writeSecretManifests(
  settings: SecretSyncConfig,
  targets: readonly SecretManifestTarget[],
  deps: ManifestDeps,
): Promise<{ readonly change?: ManifestChange; readonly refused: ReadonlyArray<{ readonly target: SecretManifestTarget; readonly reason: string }> }> {
  const { manifests } = settings;
  const repository = deps.config.repositories.find((r) => r.name === manifests.repository);
  if (repository === undefined) throw new TerminalError(`secrets.manifests.repository: no repository named '${manifests.repository}' in repositories`);
  const provider = await deps.providerFor(repository);
  const mode = manifests.mode;
  const branch = mode === 'commit' ? repository.baseBranch : manifests.pullRequestBranch;
  const maxAttempts = deps.maxAttempts ?? 3;
  for (let attempt = 1; ; attempt += 1) {
    const view = await viewOf(provider, repository, branch, mode);
    const files: Array<{ path: string; content: string }> = [];
    const refused: Array<{ target: SecretManifestTarget; reason: string }> = [];
    const limit = deps.config.limits.maxFileBytes;
    for (const target of targets) {
      const path = manifestPathOf(settings, target);
      const read = fileReadOf(await provider.readFile(view.commit, path), limit);
      if (read.kind === 'refused') {
        refused.push({ target, reason: `${path}: ${read.reason}` });
        continue;
      }
      const pending = files.find((f) => f.path === path);
      const text = pending?.content ?? (read.kind === 'text' ? read.text : undefined);
      if (text === undefined) {
        files.push({ path, content: renderSecretManifest(settings, target) });
        continue;
      }
      const edit = updateSecretManifest(settings, target, text);
      if (edit.kind === 'refused') refused.push({ target, reason: `${path}: ${edit.reason}` });
      else if (edit.kind === 'edited') {
        if (pending !== undefined) pending.content = edit.text;
        else files.push({ path, content: edit.text });
      }
    }
    if ((await provider.readFile(view.commit, manifests.storesFile)) === undefined) {
      // Namespaced SecretStores go into the namespaces of this sync; cluster-wide stores and VaultAuth need none.
      const namespaces =
        settings.manifests.operator === 'eso' && settings.manifests.eso.storeKind === 'SecretStore' ? targets.map((t) => t.namespace) : undefined;
      files.push({ path: manifests.storesFile, content: renderSecretStores(settings, namespaces) });
    }
    if (files.length === 0) return { refused };
    const refusedTargets = new Set(refused.map((r) => r.target));
    // Named for what the commit changes: a target whose manifest was already right is not in it.
    const changed = new Set(files.map((f) => f.path));
    const touched = targets.filter((t) => !refusedTargets.has(t) && changed.has(manifestPathOf(settings, t)));
    const scope = [...new Set(touched.map((t) => `${t.service}/${t.environment}`))].join(', ') || 'the shared stores';
    const title = `chore(secrets): manifests for ${scope}`;
    try {
      const commit = await provider.commit({
        branch,
        parent: view.commit,
        files,
        message: `${title}\n\nKey names only; the values are in Vault.`,
        update: view.update,
        startBranch: view.update === 'fast-forward' ? branch : repository.baseBranch,
      });
      let pullRequest = view.pullRequest;
      if (mode === 'pull-request' && provider.supportsPullRequests && pullRequest === undefined) {
        pullRequest = await provider.openPullRequest({
          branch,
          base: repository.baseBranch,
          title,
          body: pullRequestBody(settings, touched, files),
          labels: [],
        });
      }
      const commitUrl = commit.url ?? commitLink(repository, commit.sha);
      return {
        change: {
          repository: repository.name,
          branch,
          commit: commit.sha,
          ...(commitUrl ? { commitUrl } : {}),
          ...(pullRequest ? { pullRequest } : {}),
          files: files.map((f) => f.path),
          warnings: pullRequest?.warnings ?? [],
        },
        refused,
      };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= maxAttempts) throw error;
      deps.log.warn('branch moved; reading the manifests again', { attempt, reason: error.message });
      await deps.sleep((deps.backoffMs ?? ((n: number) => 200 * 2 ** (n - 2) * (0.5 + Math.random())))(attempt + 1));
    }
  }
}

function pullRequestBody(settings: SecretSyncConfig, targets: readonly SecretManifestTarget[], files: ReadonlyArray<{ readonly path: string }>): string {
  const rows = targets.map((t) => `| ${t.service} | ${t.environment} | \`${t.vault.mount}/${t.vault.path}\` | ${t.keys.map((k) => `\`${k}\``).join(', ')} |`);
  return [
    `Hoist keeps the ${settings.manifests.operator === 'eso' ? 'External Secrets' : 'Vault Secrets Operator'} manifests in line with the secrets it syncs into Vault.`,
    '',
    '| service | environment | Vault path | keys |',
    '|---|---|---|---|',
    ...rows,
    '',
    `Files: ${files.map((f) => `\`${f.path}\``).join(', ')}`,
    '',
    'Key names only: no value is in this repository.',
  ].join('\n');
}
