import type { IClusterSecretStore, IExternalSecret, ISecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1';
import { Document, Scalar, visit } from 'yaml';
import { ValidationError } from '../../shared/errors';
import {
  type DesiredExternalSecret,
  type DesiredVaultStaticSecret,
  desiredSecretManifest,
  ESO_API_VERSION,
  MANAGED_BY_LABEL,
  type SecretManifestTarget,
} from './desired-secret-manifest';
import { isSafePlain } from './safe-scalar';
import type { SecretSyncConfig } from './secret-sync-config';
import { type VaultAuth, type VaultConnection, type VaultStaticSecret, VSO_API_VERSION } from './vso-resources';

/*
 * The manifests that let workloads read synced secrets: one ExternalSecret
 * (External Secrets Operator) or VaultStaticSecret (Vault Secrets Operator)
 * per service and environment, and one stores file they all refer to. Built
 * as typed objects and written with the yaml library; same input, same bytes.
 */

export type { ManifestEdit, SecretManifestTarget } from './desired-secret-manifest';
export { updateSecretManifest } from './update-secret-manifest';

/** One YAML document to write and the comment lines above it. */
export interface YamlDocument {
  readonly value: unknown;
  /** Lines of the comment above the document. */
  readonly comment: readonly string[];
}

/** Documents joined by `---`; texts of several lines as literal blocks; other strings that a YAML 1.1 or 1.2 reader would not read back as strings get double quotes. */
export function writeYaml(documents: readonly YamlDocument[]): string {
  return documents
    .map(({ value, comment }) => {
      const doc = new Document(value);
      doc.commentBefore = comment.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
      visit(doc, {
        Scalar(_key, node) {
          if (typeof node.value !== 'string') return;
          // A text of several lines (an ApplicationSet templatePatch) reads best as a literal block.
          if (node.value.endsWith('\n') && !/[ \t]\n/.test(node.value)) node.type = Scalar.BLOCK_LITERAL;
          else if (!isSafePlain(node.value)) node.type = Scalar.QUOTE_DOUBLE;
        },
      });
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

/**
 * The manifest file of one service and environment: an ExternalSecret or a
 * VaultStaticSecret, per `manifests.operator`. Key names only, never values.
 */
export function renderSecretManifest(config: SecretSyncConfig, target: SecretManifestTarget): string {
  const desired = desiredSecretManifest(config, target);
  return desired.kind === 'ExternalSecret' ? renderExternalSecret(desired, target, config) : renderVaultStaticSecret(desired, target, config.vault.namespace);
}

function renderExternalSecret(desired: DesiredExternalSecret, target: SecretManifestTarget, config: SecretSyncConfig): string {
  const externalSecret: IExternalSecret = {
    apiVersion: ESO_API_VERSION,
    kind: 'ExternalSecret',
    metadata: { name: desired.name, namespace: desired.namespace, labels: { ...MANAGED_BY_LABEL } },
    spec: {
      refreshInterval: desired.refreshInterval,
      secretStoreRef: { name: desired.storeRef.name, kind: desired.storeRef.kind },
      target: { name: desired.name, creationPolicy: 'Owner' },
      data: desired.keys.map((key) => ({ secretKey: key, remoteRef: { key: desired.remoteKey, property: key } })),
    },
  };
  const source =
    config.manifests.eso.source === 'vault' ? `Vault (${config.vault.mount}/${desired.remoteKey}, KV v2)` : `the Secrets Manager secret ${desired.remoteKey}`;
  return writeYaml([
    {
      value: externalSecret,
      comment: [
        `ExternalSecret for ${target.service} (${target.environment}).`,
        `External Secrets Operator copies each key under spec.data from ${source}`,
        `into the Kubernetes Secret ${desired.name}, through the ${desired.storeRef.kind} ${desired.storeRef.name}.`,
        'Hoist keeps this file in step with the secret: it adds and removes the data entries that read',
        'that key and updates refreshInterval and secretStoreRef. Other edits (labels, template, entries',
        'that read other paths) are left as they are. Only key names are here, never a secret value.',
      ],
    },
  ]);
}

function renderVaultStaticSecret(desired: DesiredVaultStaticSecret, target: SecretManifestTarget, vaultNamespace: string | undefined): string {
  const staticSecret: VaultStaticSecret = {
    apiVersion: VSO_API_VERSION,
    kind: 'VaultStaticSecret',
    metadata: { name: desired.name, namespace: desired.namespace, labels: { ...MANAGED_BY_LABEL } },
    spec: {
      vaultAuthRef: desired.vaultAuthRef,
      mount: desired.mount,
      type: 'kv-v2',
      path: desired.path,
      refreshAfter: desired.refreshAfter,
      destination: { name: desired.name, create: true },
    },
  };
  return writeYaml([
    {
      value: staticSecret,
      comment: [
        `VaultStaticSecret for ${target.service} (${target.environment}).`,
        `Vault Secrets Operator copies every key of ${desired.mount}/${desired.path} (KV v2${vaultNamespace ? `, Vault namespace ${vaultNamespace}` : ''})`,
        `into the Kubernetes Secret ${desired.name}, logging in through the VaultAuth ${desired.vaultAuthRef}.`,
        'Hoist keeps this file in step with the config: it updates refreshAfter, mount, path and',
        'vaultAuthRef. Other edits are left as they are. No secret value is in this file.',
      ],
    },
  ]);
}

const codeUnitOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The stores file every manifest refers to. ESO: a Vault store and a Secrets
 * Manager store, both ClusterSecretStores, or, with `eso.storeKind:
 * SecretStore`, one pair in each of `namespaces` (a SecretStore serves only
 * its own namespace, so the namespaces of the ExternalSecrets are required).
 * VSO: a VaultConnection and a VaultAuth in `vso.namespace`; `namespaces`,
 * when given, is the VaultAuth's allowedNamespaces, otherwise every namespace.
 */
export function renderSecretStores(config: SecretSyncConfig, namespaces?: readonly string[]): string {
  const listed = namespaces === undefined ? undefined : [...new Set(namespaces)].sort(codeUnitOrder);
  return config.manifests.operator === 'vso' ? renderVsoStores(config, listed) : renderEsoStores(config, listed);
}

const STORES_HEADER = [
  'Secret stores for the manifests Hoist writes for synced secrets.',
  'Hoist renders this file from the `secrets:` section of hoist.config.yaml; change that section',
  'rather than this file. No secret value is in this file.',
];

function renderEsoStores(config: SecretSyncConfig, namespaces: readonly string[] | undefined): string {
  const { eso } = config.manifests;
  const server = config.manifests.vaultAddress ?? config.vault.url;
  const cluster = eso.storeKind === 'ClusterSecretStore';
  if (!cluster && (namespaces === undefined || namespaces.length === 0))
    throw new ValidationError('manifests.eso.storeKind: a SecretStore serves only its own namespace; name the namespaces of the ExternalSecrets');
  const places: ReadonlyArray<string | undefined> = cluster ? [undefined] : (namespaces ?? []);
  const metadataOf = (name: string, namespace: string | undefined) => ({
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { ...MANAGED_BY_LABEL },
  });

  const documents: YamlDocument[] = [];
  for (const namespace of places) {
    const vaultStore: IClusterSecretStore | ISecretStore = {
      apiVersion: ESO_API_VERSION,
      kind: cluster ? 'ClusterSecretStore' : 'SecretStore',
      metadata: metadataOf(eso.vaultStoreName, namespace),
      spec: {
        provider: {
          vault: {
            server,
            path: config.vault.mount,
            version: 'v2',
            ...(config.vault.namespace === undefined ? {} : { namespace: config.vault.namespace }),
            auth: { kubernetes: { mountPath: eso.kubernetesAuth.mount, role: eso.kubernetesAuth.role } },
          },
        },
      },
    } as IClusterSecretStore | ISecretStore;
    const awsStore = {
      apiVersion: ESO_API_VERSION,
      kind: cluster ? 'ClusterSecretStore' : 'SecretStore',
      metadata: metadataOf(eso.awsStoreName, namespace),
      spec: { provider: { aws: { service: 'SecretsManager', region: eso.awsRegion } } },
    } as IClusterSecretStore | ISecretStore;
    documents.push(
      {
        value: vaultStore,
        comment: [
          ...(documents.length === 0 ? [...STORES_HEADER, ''] : []),
          `Vault KV v2 at mount ${config.vault.mount}. ESO logs in with its controller's own service account`,
          `token (no serviceAccountRef): Vault's Kubernetes auth role ${eso.kubernetesAuth.role} at auth mount`,
          `${eso.kubernetesAuth.mount} must bind that service account.`,
        ],
      },
      {
        value: awsStore,
        comment: [
          `AWS Secrets Manager in ${eso.awsRegion}. No auth block: the platform stack gives ESO's service`,
          'account an EKS Pod Identity role that may read only the configured secret name prefixes.',
        ],
      },
    );
  }
  return writeYaml(documents);
}

function renderVsoStores(config: SecretSyncConfig, namespaces: readonly string[] | undefined): string {
  const { vso } = config.manifests;
  const metadata = { name: vso.vaultAuthName, namespace: vso.namespace, labels: { ...MANAGED_BY_LABEL } };
  const connection: VaultConnection = {
    apiVersion: VSO_API_VERSION,
    kind: 'VaultConnection',
    metadata,
    spec: { address: config.manifests.vaultAddress ?? config.vault.url, skipTLSVerify: false },
  };
  const auth: VaultAuth = {
    apiVersion: VSO_API_VERSION,
    kind: 'VaultAuth',
    metadata,
    spec: {
      vaultConnectionRef: connection.metadata.name,
      method: 'kubernetes',
      mount: vso.kubernetesAuth.mount,
      ...(config.vault.namespace === undefined ? {} : { namespace: config.vault.namespace }),
      allowedNamespaces: namespaces === undefined || namespaces.length === 0 ? ['*'] : namespaces,
      kubernetes: { role: vso.kubernetesAuth.role, serviceAccount: vso.kubernetesAuth.serviceAccount },
    },
  };
  return writeYaml([
    { value: connection, comment: [...STORES_HEADER, '', 'How Vault Secrets Operator reaches Vault.'] },
    {
      value: auth,
      comment: [
        `Vault's Kubernetes auth method at mount ${vso.kubernetesAuth.mount}, role ${vso.kubernetesAuth.role}. The VaultStaticSecrets`,
        `live in other namespaces and log in as the service account ${vso.kubernetesAuth.serviceAccount} of their own namespace,`,
        'so allowedNamespaces lists them; `*` lets any namespace try, and the Vault role still decides',
        'which service accounts and namespaces may log in.',
      ],
    },
  ]);
}
