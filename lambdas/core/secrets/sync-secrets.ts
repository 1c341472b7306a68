import { TerminalError, VaultCasError } from '../../shared/errors';
import type { PromotionConfig, RepositoryConfig, SlackDestination } from '../config/promotion-config';
import type { AuditLog, GitProvider, Notifier, SecretSource, SecretSyncState, SecretSyncStateStore, SourceSecret, VaultKv, WarningLog } from '../ports';
import type { SyncedSecretLine } from '../promotion/promotion-notice';
import { fillTemplate, mapSecret, type SecretTarget, vaultKeyOf } from './map-secret';
import type { SecretChange } from './secret-change';
import type { SecretManifestTarget } from './secret-manifests';
import { secretNameOfArn } from './secret-name-of-arn';
import type { SecretSyncConfig } from './secret-sync-config';
import { digestOf, keysOf, type SecretData, secretDataOf } from './secret-values';
import { type ManifestChange, writeSecretManifests } from './write-secret-manifests';

export interface SecretSyncDeps {
  readonly config: PromotionConfig;
  readonly source: SecretSource;
  readonly vault: VaultKv;
  readonly syncStates: SecretSyncStateStore;
  readonly providerFor: (repository: RepositoryConfig) => Promise<GitProvider>;
  readonly audit: AuditLog;
  /** The notifier of a destination; `undefined` asks for the default one. None: nobody is told. */
  readonly notifierFor?: (destination: SlackDestination | undefined) => Notifier | undefined;
  readonly log: WarningLog;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** Attempts at a Vault write whose check-and-set fails, and at a manifest commit whose branch moves. @default 3 */
  readonly maxAttempts?: number;
  /** Backoff before attempt n (2-based). @default 200 ms · 2^(n-2), with jitter */
  readonly backoffMs?: (attempt: number) => number;
}

/** What a batch of changes did; `failures` name the change ids that need a person. */
export interface SecretSyncOutcome {
  readonly synced: readonly SyncedSecretLine[];
  /** Changes that led to nothing, each with why (unmapped, Vault left alone on delete …). */
  readonly ignored: ReadonlyArray<{ readonly secret: string; readonly reason: string }>;
  readonly manifests?: ManifestChange;
  readonly failures: ReadonlyArray<{ readonly reason: string; readonly envelopeIds: readonly string[]; readonly secret: string }>;
}

type SecretResult =
  | { readonly kind: 'synced'; readonly line: SyncedSecretLine; readonly manifest?: SecretManifestTarget }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Syncs the secrets a batch of queued changes names, in four steps:
 * read each secret's current value from Secrets Manager (the queue never
 * carries one), write it to its Vault KV v2 path with check-and-set unless
 * Vault already holds it, commit the manifests that read it (created, or
 * edited in place), and announce names and versions in audit and Slack.
 *
 * A person's change in Vault is never overwritten: a write names the
 * version Hoist last wrote; when Vault has moved past it, Hoist reads again,
 * counts equal content as done, and otherwise reports a conflict. Errors of
 * a whole batch (Vault or a host unreachable) are told and thrown for the
 * queue to retry; a write that landed reads as "already there" next time.
 */
export async function syncSecrets(changes: readonly SecretChange[], deps: SecretSyncDeps): Promise<SecretSyncOutcome> {
  const startedAt = deps.now().getTime();
  const settings = deps.config.secrets;
  if (settings === undefined) throw new TerminalError('secret changes arrived, but hoist.config.yaml has no secrets: section');
  const bySecret = new Map<string, SecretChange[]>();
  for (const change of changes) bySecret.set(change.secretArn, [...(bySecret.get(change.secretArn) ?? []), change]);

  const synced: SyncedSecretLine[] = [];
  const ignored: Array<{ secret: string; reason: string }> = [];
  const failures: Array<{ reason: string; envelopeIds: string[]; secret: string }> = [];
  const manifestTargets: Array<{ target: SecretManifestTarget; ids: string[] }> = [];
  try {
    for (const [arn, list] of bySecret) {
      const ids = list.map((c) => c.id);
      const latest = list[list.length - 1] as SecretChange;
      const result = await syncOne(settings, arn, latest, deps);
      if (result.kind === 'synced') {
        synced.push(result.line);
        if (result.manifest !== undefined) manifestTargets.push({ target: result.manifest, ids });
      } else if (result.kind === 'ignored') {
        ignored.push({ secret: latest.name, reason: result.reason });
        deps.log.warn('secret change ignored', { secret: latest.name, reason: result.reason });
      } else failures.push({ reason: result.reason, envelopeIds: ids, secret: latest.name });
    }
    let manifests: ManifestChange | undefined;
    if (manifestTargets.length > 0) {
      const written = await writeSecretManifests(
        settings,
        manifestTargets.map((m) => m.target),
        deps,
      );
      manifests = written.change;
      for (const refused of written.refused) {
        const ids = manifestTargets
          .filter((m) => m.target.service === refused.target.service && m.target.environment === refused.target.environment)
          .flatMap((m) => m.ids);
        failures.push({ reason: refused.reason, envelopeIds: ids, secret: refused.target.secretName });
      }
    }
    await announceSync(settings, { synced, ignored, manifests, failures, startedAt, eventIds: changes.map((c) => c.id) }, deps);
    return { synced, ignored, ...(manifests ? { manifests } : {}), failures };
  } catch (error) {
    const reason = (error as Error).message;
    const final = error instanceof TerminalError;
    await tell(settings, { kind: 'secrets-failed', secrets: changes.map((c) => c.name), reason, final }, deps);
    await deps.audit
      .record({
        id: `secrets:${changes[0]?.id ?? 'batch'}`,
        at: deps.now().toISOString(),
        outcome: 'secrets-failed',
        reasons: [reason],
        events: changes.map((c) => c.id),
        durationMs: deps.now().getTime() - startedAt,
      })
      .catch((auditError: unknown) => deps.log.warn('audit record not written', { error: (auditError as Error).message }));
    throw error;
  }
}

async function syncOne(settings: SecretSyncConfig, arn: string, change: SecretChange, deps: SecretSyncDeps): Promise<SecretResult> {
  const read = await deps.source.read(arn);
  const name = read.name ?? change.name;
  // Hoist's own tokens stay where they are, whatever pattern or tag would map them.
  if (ownSecretNamesOf(deps.config).includes(name))
    return { kind: 'failed', reason: `secret ${name} is one of Hoist's own credentials in hoist.config.yaml; it is never synced` };
  const mapped = mapSecret(settings, { name, ...(read.tags ? { tags: read.tags } : {}) });
  if (mapped.kind === 'unmapped') return { kind: 'ignored', reason: mapped.reason };
  const target = mapped.target;
  const key = vaultKeyOf(target);
  const state = (await deps.syncStates.get([key])).get(key);
  // One secret per Vault path: a second one would overwrite the first at every change.
  const owner = state === undefined ? undefined : (secretNameOfArn(state.secretArn) ?? state.secretArn);
  if (owner !== undefined && owner !== (secretNameOfArn(arn) ?? arn)) {
    // A secret that is gone owns nothing: the path stays with the secret that synced it.
    if ('deleted' in read) return { kind: 'ignored', reason: `${name} is not in Secrets Manager; Vault path ${key} is synced from ${owner} and left as is` };
    return {
      kind: 'failed',
      reason: `secrets ${owner} and ${name} both map to Vault path ${key}; map one of them elsewhere (mapping.entries)`,
    };
  }
  const cause = change.change === 'reconcile' ? 'reconcile' : 'change';
  const line = { secret: name, service: target.service, environment: target.environment, vaultPath: key, cause } as const;
  if ('deleted' in read) return deleteFromVault(settings, target, state, line, deps);

  const value = secretDataOf(read.text, target.plainKey);
  if (value.kind === 'refused') return { kind: 'failed', reason: `secret ${name}: ${value.reason}` };
  const written = await writeToVault(target, value.data, read, state, deps);
  if (written.kind === 'failed') return written;
  const manifest: SecretManifestTarget = {
    service: target.service,
    environment: target.environment,
    namespace: fillTemplate(settings.manifests.namespace, { service: target.service, environment: target.environment }),
    name: fillTemplate(settings.manifests.secretName, { service: target.service, environment: target.environment }),
    secretName: name,
    vault: target.vault,
    keys: keysOf(value.data),
  };
  return { kind: 'synced', line: { ...line, vault: written.kind, vaultVersion: written.version }, manifest };
}

/**
 * Writes `data` with check-and-set on the version Hoist last wrote (0: the
 * path must be new). Equal content is done whatever its version; a version
 * someone else wrote, with other content, is a conflict after the retries.
 */
async function writeToVault(
  target: SecretTarget,
  data: SecretData,
  secret: SourceSecret,
  state: SecretSyncState | undefined,
  deps: SecretSyncDeps,
): Promise<{ readonly kind: 'written' | 'unchanged'; readonly version: number } | { readonly kind: 'failed'; readonly reason: string }> {
  const { mount, path } = target.vault;
  const want = digestOf(data);
  const maxAttempts = deps.maxAttempts ?? 3;
  const remember = (version: number) =>
    deps.syncStates.put(vaultKeyOf(target), {
      vaultVersion: version,
      secretArn: secret.arn,
      sourceVersionId: secret.versionId,
      syncedAt: deps.now().toISOString(),
    });
  const cas = state?.vaultVersion ?? 0;
  let seen = 0;
  for (let attempt = 1; ; attempt += 1) {
    const current = await deps.vault.read(mount, path);
    seen = current?.version ?? 0;
    if (current?.data !== undefined && digestOf(current.data) === want) {
      await remember(current.version);
      return { kind: 'unchanged', version: current.version };
    }
    try {
      const version = await deps.vault.write(mount, path, data, cas);
      await remember(version);
      return { kind: 'written', version };
    } catch (error) {
      if (!(error instanceof VaultCasError)) throw error;
      if (attempt >= maxAttempts) break;
      await deps.sleep(backoffOf(deps, attempt + 1));
    }
  }
  return {
    kind: 'failed',
    reason:
      `Vault path ${vaultKeyOf(target)} holds version ${seen}, which Hoist did not write (it last wrote ${cas === 0 ? 'nothing there' : `version ${cas}`}); ` +
      `not overwritten. To resolve it, make Vault hold what Secrets Manager secret ${secret.name} holds (put the wanted value in both): Hoist then syncs the path again.`,
  };
}

async function deleteFromVault(
  settings: SecretSyncConfig,
  target: SecretTarget,
  state: SecretSyncState | undefined,
  line: Omit<SyncedSecretLine, 'vault' | 'vaultVersion'>,
  deps: SecretSyncDeps,
): Promise<SecretResult> {
  const key = vaultKeyOf(target);
  if (settings.vault.onDelete === 'leave')
    return {
      kind: 'ignored',
      reason: `${line.secret} is not in Secrets Manager (deleted, or never created); Vault path ${key} left as is (vault.onDelete: leave)`,
    };
  const current = await deps.vault.read(target.vault.mount, target.vault.path);
  if (current === undefined || current.data === undefined)
    return { kind: 'ignored', reason: `${line.secret} is not in Secrets Manager; Vault path ${key} holds no live version` };
  if (state?.vaultVersion !== current.version) {
    return {
      kind: 'failed',
      reason: `${line.secret} is not in Secrets Manager, but Vault path ${key} holds version ${current.version}, which Hoist did not write; not deleted`,
    };
  }
  await deps.vault.deleteVersion(target.vault.mount, target.vault.path, current.version);
  return { kind: 'synced', line: { ...line, vault: 'deleted', vaultVersion: current.version } };
}

/** The secrets the config names as Hoist's own credentials: tokens and webhook URLs, never data to sync. */
export function ownSecretNamesOf(config: PromotionConfig): string[] {
  const names = [
    ...config.repositories.map((r) => r.credentials.secretName),
    config.argocd.tokenSecretName,
    config.slack.webhookSecretName,
    ...Object.values(config.registry.credentials).map((c) => c.secretName),
    ...config.images.flatMap((image) => [...image.targets.map((t) => t.slack?.webhookSecretName), ...image.from.map((f) => f.credentials?.secretName)]),
    config.secrets?.vault.auth.method === 'token' ? config.secrets.vault.auth.tokenSecretName : undefined,
    config.secrets?.slack?.webhookSecretName,
  ];
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

const backoffOf = (deps: SecretSyncDeps, attempt: number): number => (deps.backoffMs ?? ((n: number) => 200 * 2 ** (n - 2) * (0.5 + Math.random())))(attempt);

interface SyncReport {
  readonly synced: readonly SyncedSecretLine[];
  readonly ignored: ReadonlyArray<{ readonly secret: string; readonly reason: string }>;
  readonly manifests: ManifestChange | undefined;
  readonly failures: ReadonlyArray<{ readonly reason: string; readonly envelopeIds: readonly string[]; readonly secret: string }>;
  readonly startedAt: number;
  readonly eventIds: readonly string[];
}

/** Audit and Slack: names, paths and versions; a value never. Nothing here throws for a lost chat message. */
async function announceSync(settings: SecretSyncConfig, report: SyncReport, deps: SecretSyncDeps): Promise<void> {
  const changed = report.synced.filter((s) => s.vault !== 'unchanged');
  const at = deps.now().toISOString();
  const durationMs = deps.now().getTime() - report.startedAt;
  const id = `secrets:${report.eventIds[0] ?? 'batch'}`;
  if (changed.length > 0 || report.manifests !== undefined || report.ignored.length > 0) {
    await deps.audit.record({
      id,
      at,
      outcome: changed.length > 0 || report.manifests !== undefined ? 'secrets-synced' : 'noop',
      ...(report.manifests
        ? {
            repository: report.manifests.repository,
            branch: report.manifests.branch,
            commit: report.manifests.commit,
            ...(report.manifests.pullRequest ? { pullRequestUrl: report.manifests.pullRequest.url } : {}),
          }
        : {}),
      secrets: report.synced.map((s) => ({ ...s })),
      reasons: report.ignored.map((i) => i.reason),
      events: report.eventIds,
      durationMs,
    });
  }
  if (changed.length > 0 || report.manifests !== undefined) {
    await tell(
      settings,
      {
        kind: 'secrets-synced',
        secrets: report.synced,
        ...(report.manifests ? { manifests: report.manifests } : {}),
        warnings: report.manifests?.warnings ?? [],
      },
      deps,
    );
  }
  for (const failure of report.failures) {
    await deps.audit.record({
      id: `${id}:${failure.secret}`,
      at,
      outcome: 'secrets-failed',
      reasons: [failure.reason],
      events: failure.envelopeIds,
      durationMs,
    });
    await tell(settings, { kind: 'secrets-failed', secrets: [failure.secret], reason: failure.reason, final: true }, deps);
  }
}

async function tell(settings: SecretSyncConfig, notice: Parameters<Notifier['notify']>[0], deps: SecretSyncDeps): Promise<void> {
  const notifier = deps.notifierFor?.(settings.slack);
  if (notifier === undefined) return;
  try {
    await notifier.notify(notice);
  } catch (error) {
    deps.log.warn('Slack message not sent', { error: (error as Error).message });
  }
}
