import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterSecretStore, ExternalSecret, SecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { durationMillisOf, singleUnitDurationOf } from '../../../../lambdas/core/secrets/kubernetes-duration';
import { renderSecretManifest, renderSecretStores, type SecretManifestTarget } from '../../../../lambdas/core/secrets/secret-manifests';
import { type SecretSyncConfig, SecretSyncConfigSchema } from '../../../../lambdas/core/secrets/secret-sync-config';
import { ValidationError } from '../../../../lambdas/shared/errors';

const BASE = {
  vault: { url: 'https://vault.internal.example.com:8200', auth: { method: 'token', env: 'VAULT_TOKEN' } },
  manifests: { repository: 'gitops' },
};
const configWith = (manifests: Record<string, unknown> = {}, vault: Record<string, unknown> = {}): SecretSyncConfig =>
  SecretSyncConfigSchema.parse({ ...BASE, vault: { ...BASE.vault, ...vault }, manifests: { ...BASE.manifests, ...manifests } });

const TARGET: SecretManifestTarget = {
  service: 'api',
  environment: 'dev',
  namespace: 'api-dev',
  name: 'api-config',
  secretName: 'hoist/apps/api/dev',
  vault: { mount: 'secret', path: 'apps/api/dev/config' },
  keys: ['DB_USER', 'DB_PASSWORD'],
};

const documentsOf = (text: string): Array<Record<string, any>> => parseAllDocuments(text).map((doc) => doc.toJS() as Record<string, any>);

const schema = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/vso', name), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: true });
const validateVaultStaticSecret = ajv.compile(schema('vaultstaticsecret.schema.json'));
const validateVaultAuth = ajv.compile(schema('vaultauth.schema.json'));
const validateVaultConnection = ajv.compile(schema('vaultconnection.schema.json'));

describe('secret manifests: ESO ExternalSecret', () => {
  it('reads every key from the Vault store, below the mount, and validates against the ESO v1 schema', () => {
    const text = renderSecretManifest(configWith({ refreshInterval: '15m' }), TARGET);
    const [manifest, ...rest] = documentsOf(text);
    expect(rest).toEqual([]);
    expect(() => new ExternalSecret(manifest as any).validate()).not.toThrow();
    expect(manifest).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'api-config', namespace: 'api-dev', labels: { 'app.kubernetes.io/managed-by': 'hoist' } },
      spec: {
        refreshInterval: '15m',
        secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
        target: { name: 'api-config', creationPolicy: 'Owner' },
        data: [
          { secretKey: 'DB_PASSWORD', remoteRef: { key: 'apps/api/dev/config', property: 'DB_PASSWORD' } },
          { secretKey: 'DB_USER', remoteRef: { key: 'apps/api/dev/config', property: 'DB_USER' } },
        ],
      },
    });
  });

  it('reads the Secrets Manager secret by name through the AWS store when the source is aws-secrets-manager', () => {
    const manifest = parse(renderSecretManifest(configWith({ eso: { source: 'aws-secrets-manager', storeKind: 'SecretStore' } }), TARGET));
    expect(() => new ExternalSecret(manifest).validate()).not.toThrow();
    expect(manifest.spec.secretStoreRef).toEqual({ name: 'aws-secrets-manager', kind: 'SecretStore' });
    expect(manifest.spec.data.map((d: any) => d.remoteRef)).toEqual([
      { key: 'hoist/apps/api/dev', property: 'DB_PASSWORD' },
      { key: 'hoist/apps/api/dev', property: 'DB_USER' },
    ]);
  });

  it('says what the file is, that Hoist keeps it, and that no value is in it', () => {
    const text = renderSecretManifest(configWith(), TARGET);
    const header = text.slice(0, text.indexOf('apiVersion'));
    expect(header).toMatch(/^# ExternalSecret for api \(dev\)\./);
    expect(header).toContain('Hoist keeps this file');
    expect(header).toContain('never a secret value');
  });

  it('writes the same bytes for the same input, whatever the order of the keys', () => {
    const a = renderSecretManifest(configWith(), TARGET);
    const b = renderSecretManifest(configWith(), { ...TARGET, keys: ['DB_PASSWORD', 'DB_USER', 'DB_USER'] });
    expect(b).toBe(a);
  });

  it('quotes keys a YAML 1.1 or 1.2 reader would not read back as strings', () => {
    const text = renderSecretManifest(configWith(), { ...TARGET, keys: ['on', '1.10', 'true', '0x1F', 'PLAIN.key-1'] });
    expect(text).toContain('- secretKey: "on"');
    expect(text).toContain('- secretKey: "1.10"');
    expect(text).toContain('- secretKey: "true"');
    expect(text).toContain('- secretKey: "0x1F"');
    expect(text).toContain('- secretKey: PLAIN.key-1');
    // Kubernetes reads manifests as YAML 1.1: every key must still be a string there.
    const manifest = parse(text, { version: '1.1' });
    expect(manifest.spec.data.map((d: any) => d.secretKey)).toEqual(['0x1F', '1.10', 'PLAIN.key-1', 'on', 'true']);
    expect(() => new ExternalSecret(parse(text)).validate()).not.toThrow();
  });

  it('refuses a secret with no keys and a target mount the Vault store does not serve', () => {
    expect(() => renderSecretManifest(configWith(), { ...TARGET, keys: [] })).toThrow(ValidationError);
    expect(() => renderSecretManifest(configWith(), { ...TARGET, vault: { mount: 'kv', path: 'apps/api/dev/config' } })).toThrow(/target\.vault\.mount/);
  });

  it('the ESO validator does fail on a broken manifest', () => {
    const manifest = parse(renderSecretManifest(configWith(), TARGET));
    const broken = structuredClone(manifest);
    broken.spec.data[0].secretKey = 'not a key';
    delete broken.spec.data[1].remoteRef;
    broken.spec.target.creationPolicy = 'Mine';
    expect(() => new ExternalSecret(broken).validate()).toThrow(/secretKey must match pattern/);
    expect(() => new ExternalSecret(broken).validate()).toThrow(/required property remoteRef/);
    expect(() => new ExternalSecret(broken).validate()).toThrow(/creationPolicy must be equal to one of the allowed values/);
  });
});

describe('secret manifests: ESO stores', () => {
  it('renders a Vault and a Secrets Manager ClusterSecretStore that validate', () => {
    const config = configWith(
      { vaultAddress: 'http://vault.vault.svc:8200', eso: { awsRegion: 'eu-west-1', kubernetesAuth: { mount: 'k8s-prod' } } },
      { namespace: 'team-a' },
    );
    const [vault, aws, ...rest] = documentsOf(renderSecretStores(config));
    expect(rest).toEqual([]);
    expect(() => new ClusterSecretStore(vault as any).validate()).not.toThrow();
    expect(() => new ClusterSecretStore(aws as any).validate()).not.toThrow();
    expect(vault?.metadata).toEqual({ name: 'vault', labels: { 'app.kubernetes.io/managed-by': 'hoist' } });
    expect(vault?.spec).toEqual({
      provider: {
        vault: {
          server: 'http://vault.vault.svc:8200',
          path: 'secret',
          version: 'v2',
          namespace: 'team-a',
          auth: { kubernetes: { mountPath: 'k8s-prod', role: 'external-secrets' } },
        },
      },
    });
    expect(aws?.metadata?.name).toBe('aws-secrets-manager');
    expect(aws?.spec).toEqual({ provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } } });
  });

  it('uses vault.url when no vaultAddress is set, and leaves out the Vault namespace when none is set', () => {
    const [vault] = documentsOf(renderSecretStores(configWith()));
    expect(vault?.spec.provider.vault.server).toBe('https://vault.internal.example.com:8200');
    expect(vault?.spec.provider.vault).not.toHaveProperty('namespace');
  });

  it('explains in the file why the AWS store has no auth block', () => {
    const text = renderSecretStores(configWith());
    const aws = text.slice(text.indexOf('---'));
    expect(aws).toMatch(/# AWS Secrets Manager in us-east-1\. No auth block: the platform stack gives ESO's service\n# account an EKS Pod Identity role/);
  });

  it('puts a pair of SecretStores in each namespace, sorted, and refuses SecretStores without namespaces', () => {
    const config = configWith({ eso: { storeKind: 'SecretStore' } });
    const documents = documentsOf(renderSecretStores(config, ['web-dev', 'api-dev', 'web-dev']));
    expect(documents.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`)).toEqual([
      'SecretStore api-dev/vault',
      'SecretStore api-dev/aws-secrets-manager',
      'SecretStore web-dev/vault',
      'SecretStore web-dev/aws-secrets-manager',
    ]);
    for (const store of documents) expect(() => new SecretStore(store as any).validate()).not.toThrow();
    expect(() => renderSecretStores(config)).toThrow(/manifests\.eso\.storeKind/);
  });

  it('the ESO store validator does fail on a broken store', () => {
    const [vault] = documentsOf(renderSecretStores(configWith()));
    const broken = structuredClone(vault) as any;
    broken.spec.provider.vault.version = 'v3';
    delete broken.spec.provider.vault.server;
    expect(() => new ClusterSecretStore(broken).validate()).toThrow(/required property server/);
    expect(() => new ClusterSecretStore({ ...broken, kind: 'SecretStore' }).validate()).toThrow();
  });
});

describe('secret manifests: VSO', () => {
  const vso = (manifests: Record<string, unknown> = {}, vault: Record<string, unknown> = {}) => configWith({ operator: 'vso', ...manifests }, vault);

  it('renders a VaultStaticSecret that the CRD schema accepts', () => {
    const manifest = parse(renderSecretManifest(vso({ refreshInterval: '30s' }), TARGET));
    expect(validateVaultStaticSecret(manifest), JSON.stringify(validateVaultStaticSecret.errors)).toBe(true);
    expect(manifest.spec).toEqual({
      vaultAuthRef: 'vault-secrets-operator/default',
      mount: 'secret',
      type: 'kv-v2',
      path: 'apps/api/dev/config',
      refreshAfter: '30s',
      destination: { name: 'api-config', create: true },
    });
  });

  it('writes refreshAfter in one unit, as the CRD pattern wants', () => {
    const manifest = parse(renderSecretManifest(vso({ refreshInterval: '1h30m' }), TARGET));
    expect(manifest.spec.refreshAfter).toBe('90m');
    expect(validateVaultStaticSecret(manifest)).toBe(true);
    expect(singleUnitDurationOf('1500ms')).toBe('1.5s');
    expect(singleUnitDurationOf('2h')).toBe('2h');
    expect(singleUnitDurationOf('1m30s')).toBe('90s');
    expect(durationMillisOf('1h1m')).toBe(3_660_000);
    expect(durationMillisOf('soon')).toBeUndefined();
  });

  it('renders a VaultConnection and a VaultAuth that the CRD schemas accept', () => {
    const config = vso(
      { vso: { vaultAuthName: 'apps', namespace: 'vso', kubernetesAuth: { role: 'apps', serviceAccount: 'vault-reader' } } },
      { namespace: 'team-a' },
    );
    const [connection, auth, ...rest] = documentsOf(renderSecretStores(config, ['web-dev', 'api-dev']));
    expect(rest).toEqual([]);
    expect(validateVaultConnection(connection), JSON.stringify(validateVaultConnection.errors)).toBe(true);
    expect(validateVaultAuth(auth), JSON.stringify(validateVaultAuth.errors)).toBe(true);
    expect(connection).toMatchObject({ kind: 'VaultConnection', metadata: { name: 'apps', namespace: 'vso' }, spec: { address: BASE.vault.url } });
    expect(auth).toMatchObject({
      kind: 'VaultAuth',
      metadata: { name: 'apps', namespace: 'vso' },
      spec: {
        vaultConnectionRef: 'apps',
        method: 'kubernetes',
        mount: 'kubernetes',
        namespace: 'team-a',
        allowedNamespaces: ['api-dev', 'web-dev'],
        kubernetes: { role: 'apps', serviceAccount: 'vault-reader' },
      },
    });
    const [, defaultAuth] = documentsOf(renderSecretStores(vso()));
    expect(defaultAuth?.spec.allowedNamespaces).toEqual(['*']);
    expect(defaultAuth?.spec).not.toHaveProperty('namespace');
  });

  it('the VSO schemas do fail on broken resources', () => {
    const manifest = parse(renderSecretManifest(vso(), TARGET));
    const broken = structuredClone(manifest);
    broken.spec.type = 'kv-v3';
    broken.spec.refreshAfter = '1h30m';
    broken.spec.destination.creat = true;
    delete broken.spec.path;
    expect(validateVaultStaticSecret(broken)).toBe(false);
    const messages = (validateVaultStaticSecret.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "/spec must have required property 'path'",
        '/spec/type must be equal to one of the allowed values',
        '/spec/refreshAfter must match pattern "^([0-9]+(\\.[0-9]+)?(s|m|h))$"',
        '/spec/destination must NOT have additional properties',
      ]),
    );
    const [connection, auth] = documentsOf(renderSecretStores(vso()));
    expect(validateVaultConnection({ ...connection, spec: { skipTLSVerify: 'no' } })).toBe(false);
    expect(validateVaultAuth({ ...auth, spec: { ...auth?.spec, method: 'token' } })).toBe(false);
  });
});
