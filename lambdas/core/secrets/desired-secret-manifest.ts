import { ValidationError } from '../../shared/errors';
import { singleUnitDurationOf } from './kubernetes-duration';
import type { SecretSyncConfig } from './secret-sync-config';
import { VSO_API_VERSION } from './vso-resources';

/** The one service and environment a manifest is for; key names only, never values. */
export interface SecretManifestTarget {
  readonly service: string;
  readonly environment: string;
  /** Kubernetes namespace of the manifest. */
  readonly namespace: string;
  /** Name of the ExternalSecret / VaultStaticSecret and of the Kubernetes Secret it makes. */
  readonly name: string;
  /** The Secrets Manager secret's name (ESO with source aws-secrets-manager reads it directly). */
  readonly secretName: string;
  /** KV v2 path below the mount, without `data/` (e.g. apps/api/dev/config). */
  readonly vault: { readonly mount: string; readonly path: string };
  /** The secret's keys; names only, never values. */
  readonly keys: readonly string[];
}

/** What an in-place edit of a manifest file came to. */
export type ManifestEdit =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'edited'; readonly text: string }
  | { readonly kind: 'refused'; readonly reason: string };

export const ESO_API_VERSION = 'external-secrets.io/v1';
export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'hoist' } as const;

/** The fields of an ExternalSecret Hoist decides; everything else in the file belongs to people. */
export interface DesiredExternalSecret {
  readonly kind: 'ExternalSecret';
  readonly apiVersion: typeof ESO_API_VERSION;
  readonly name: string;
  readonly namespace: string;
  readonly refreshInterval: string;
  readonly storeRef: { readonly name: string; readonly kind: 'ClusterSecretStore' | 'SecretStore' };
  /** `remoteRef.key` of every entry: the Vault path below the store's mount, or the Secrets Manager name. */
  readonly remoteKey: string;
  /** Sorted, each once. */
  readonly keys: readonly string[];
}

/** The fields of a VaultStaticSecret Hoist decides. */
export interface DesiredVaultStaticSecret {
  readonly kind: 'VaultStaticSecret';
  readonly apiVersion: typeof VSO_API_VERSION;
  readonly name: string;
  readonly namespace: string;
  readonly vaultAuthRef: string;
  readonly mount: string;
  readonly path: string;
  readonly refreshAfter: string;
}

export type DesiredSecretManifest = DesiredExternalSecret | DesiredVaultStaticSecret;

/** Code-unit order: the same on every machine, whatever its locale. */
const sortedUnique = (keys: readonly string[]): string[] => [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * What a target's manifest must say under the config. Throws a
 * ValidationError naming the field when the two cannot fit together.
 */
export function desiredSecretManifest(config: SecretSyncConfig, target: SecretManifestTarget): DesiredSecretManifest {
  const { manifests } = config;
  if (target.vault.path.startsWith('data/'))
    throw new ValidationError(`target.vault.path: '${target.vault.path}' is below the mount without 'data/'; the operators add it for KV v2`);
  if (manifests.operator === 'vso') {
    return {
      kind: 'VaultStaticSecret',
      apiVersion: VSO_API_VERSION,
      name: target.name,
      namespace: target.namespace,
      vaultAuthRef: `${manifests.vso.namespace}/${manifests.vso.vaultAuthName}`,
      mount: target.vault.mount,
      path: target.vault.path,
      refreshAfter: singleUnitDurationOf(manifests.refreshInterval),
    };
  }
  const keys = sortedUnique(target.keys);
  if (keys.length === 0) throw new ValidationError(`target.keys: ${target.service}/${target.environment} has no keys; an ExternalSecret needs at least one`);
  const fromVault = manifests.eso.source === 'vault';
  // The Vault store's `path` is vault.mount; an ExternalSecret can only name keys below it.
  if (fromVault && target.vault.mount !== config.vault.mount)
    throw new ValidationError(`target.vault.mount: '${target.vault.mount}' is not the Vault store's mount '${config.vault.mount}' (vault.mount)`);
  return {
    kind: 'ExternalSecret',
    apiVersion: ESO_API_VERSION,
    name: target.name,
    namespace: target.namespace,
    refreshInterval: manifests.refreshInterval,
    storeRef: { name: fromVault ? manifests.eso.vaultStoreName : manifests.eso.awsStoreName, kind: manifests.eso.storeKind },
    remoteKey: fromVault ? target.vault.path : target.secretName,
    keys,
  };
}
