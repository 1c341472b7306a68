import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type ManifestEdit, renderSecretManifest, type SecretManifestTarget, updateSecretManifest } from '../../../../lambdas/core/secrets/secret-manifests';
import { type SecretSyncConfig, SecretSyncConfigSchema } from '../../../../lambdas/core/secrets/secret-sync-config';

/*
 * The .before.yaml fixtures are written by hand the way people write
 * manifests (comments, labels, a template, a person's own entry, flow
 * mappings, other documents); the .after.yaml files are the exact expected
 * results, checked line by line against the before files.
 */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/secret-manifests', name), 'utf8');

const BASE = { vault: { url: 'https://vault.example.com', auth: { method: 'token', env: 'VAULT_TOKEN' } }, manifests: { repository: 'gitops' } };
const configWith = (manifests: Record<string, unknown> = {}): SecretSyncConfig =>
  SecretSyncConfigSchema.parse({ ...BASE, manifests: { ...BASE.manifests, ...manifests } });
const ESO = configWith();
const VSO = configWith({ operator: 'vso' });

const TARGET: SecretManifestTarget = {
  service: 'api',
  environment: 'dev',
  namespace: 'api-dev',
  name: 'api-config',
  secretName: 'hoist/apps/api/dev',
  vault: { mount: 'secret', path: 'apps/api/dev/config' },
  keys: ['DB_PASSWORD', 'DB_USER', 'STRIPE_KEY'],
};

const editedText = (edit: ManifestEdit): string => {
  if (edit.kind !== 'edited') throw new Error(`expected an edit, got ${JSON.stringify(edit)}`);
  return edit.text;
};
const refusal = (edit: ManifestEdit): string => {
  if (edit.kind !== 'refused') throw new Error(`expected a refusal, got ${JSON.stringify(edit)}`);
  return edit.reason;
};

describe('updateSecretManifest: golden files', () => {
  const cases = [
    {
      name: "ExternalSecret with comments, labels, a template and a person's entry: a key added, a key removed, refreshInterval changed",
      file: 'external-secret',
      config: ESO,
      target: TARGET,
    },
    {
      name: 'multi-document file with flow mappings and single quotes: the right ExternalSecret edited, the others untouched',
      file: 'multi-document',
      config: ESO,
      target: { ...TARGET, keys: ['DB_PASSWORD', 'DB_USER'] },
    },
    {
      name: 'VaultStaticSecret: mount, path and refreshAfter changed, trailing comment and other fields kept',
      file: 'vault-static-secret',
      config: VSO,
      target: { ...TARGET, vault: { mount: 'kv', path: 'apps/api/dev/settings' } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const after = editedText(updateSecretManifest(c.config, c.target, fixture(`${c.file}.before.yaml`)));
      expect(after).toBe(fixture(`${c.file}.after.yaml`));
      expect(updateSecretManifest(c.config, c.target, after)).toEqual({ kind: 'unchanged' });
    });
  }

  it('the edited ExternalSecret still validates, and keeps the Secret key set of the secret plus the person entry', () => {
    const manifest = parse(fixture('external-secret.after.yaml'));
    expect(() => new ExternalSecret(manifest).validate()).not.toThrow();
    expect(manifest.spec.data.map((d: any) => d.secretKey)).toEqual(['DB_PASSWORD', 'DB_USER', 'SLACK_WEBHOOK', 'STRIPE_KEY']);
    expect(manifest.spec.target.template.data.DATABASE_URL).toContain('{{ .DB_USER }}');
  });
});

describe('updateSecretManifest: what it changes and what it leaves', () => {
  it('leaves a freshly rendered manifest unchanged, and a key added at the end gives what render gives', () => {
    const rendered = renderSecretManifest(ESO, { ...TARGET, keys: ['A', 'B'] });
    expect(updateSecretManifest(ESO, { ...TARGET, keys: ['B', 'A'] }, rendered)).toEqual({ kind: 'unchanged' });
    expect(editedText(updateSecretManifest(ESO, { ...TARGET, keys: ['A', 'B', 'C'] }, rendered))).toBe(
      renderSecretManifest(ESO, { ...TARGET, keys: ['A', 'B', 'C'] }),
    );
    const vso = renderSecretManifest(VSO, TARGET);
    expect(updateSecretManifest(VSO, TARGET, vso)).toEqual({ kind: 'unchanged' });
  });

  it('treats durations of the same length as equal', () => {
    const text = renderSecretManifest(ESO, TARGET).replace('refreshInterval: 1h', 'refreshInterval: 60m');
    expect(updateSecretManifest(ESO, TARGET, text)).toEqual({ kind: 'unchanged' });
  });

  it("follows a moved path in Hoist's entries, not in a person's entry reading another key", () => {
    const before = [
      'kind: ExternalSecret',
      'metadata: {name: api-config}',
      'spec:',
      '  refreshInterval: 1h',
      '  secretStoreRef: {name: vault, kind: ClusterSecretStore}',
      '  data:',
      '    - secretKey: DB_USER',
      '      remoteRef: {key: old/api/dev, property: DB_USER}',
      '    - secretKey: TOKEN',
      '      remoteRef: {key: shared/tokens, property: api}',
      '',
    ].join('\n');
    const after = editedText(updateSecretManifest(ESO, { ...TARGET, keys: ['DB_USER'] }, before));
    expect(after).toBe(before.replace('{key: old/api/dev,', '{key: apps/api/dev/config,'));
  });

  it('switches the store and every remote key when ESO reads Secrets Manager directly', () => {
    const before = renderSecretManifest(ESO, TARGET);
    const aws = configWith({ eso: { source: 'aws-secrets-manager' } });
    const after = editedText(updateSecretManifest(aws, TARGET, before));
    expect(parse(after).spec.secretStoreRef).toEqual({ name: 'aws-secrets-manager', kind: 'ClusterSecretStore' });
    expect(after.split('\n').filter((line) => line.includes('key: hoist/apps/api/dev'))).toHaveLength(3);
    // Only the changed scalars differ: the header still names Vault, which is the person's to reword.
    expect(after.replaceAll('hoist/apps/api/dev', 'apps/api/dev/config').replace('name: aws-secrets-manager', 'name: vault')).toBe(before);
  });

  it('adds a missing refreshInterval as the first line of spec, at its indentation', () => {
    const before =
      'kind: ExternalSecret\nmetadata:\n  name: api-config\nspec:\n    secretStoreRef:\n      name: vault\n      kind: ClusterSecretStore\n    data:\n      - secretKey: DB_USER\n        remoteRef:\n          key: apps/api/dev/config\n          property: DB_USER\n';
    const after = editedText(updateSecretManifest(ESO, { ...TARGET, keys: ['DB_USER'] }, before));
    expect(after).toBe(before.replace('spec:\n', 'spec:\n    refreshInterval: 1h\n'));
  });

  it('quotes an added key that needs it, in the quoting style of the entries already there', () => {
    const plain = renderSecretManifest(ESO, { ...TARGET, keys: ['DB_USER'] });
    const after = editedText(updateSecretManifest(ESO, { ...TARGET, keys: ['DB_USER', 'on', '1.10'] }, plain));
    expect(after).toContain('    - secretKey: "1.10"\n      remoteRef:\n        key: apps/api/dev/config\n        property: "1.10"\n');
    expect(after).toContain('    - secretKey: "on"\n');
    expect(parse(after, { version: '1.1' }).spec.data.map((d: any) => d.secretKey)).toEqual(['DB_USER', '1.10', 'on']);
    const single = editedText(updateSecretManifest(ESO, { ...TARGET, keys: ['DB_USER', "it's"] }, fixture('multi-document.before.yaml')));
    expect(single).toContain("  - secretKey: 'it''s'\n    remoteRef: {key: 'apps/api/dev/config', property: 'it''s'}\n");
  });

  it('keeps CRLF line ends and a file without a final newline', () => {
    const rendered = renderSecretManifest(ESO, { ...TARGET, keys: ['A'] });
    const crlf = rendered.replaceAll('\n', '\r\n');
    const after = editedText(updateSecretManifest(ESO, { ...TARGET, keys: ['A', 'B'] }, crlf));
    expect(after).toBe(renderSecretManifest(ESO, { ...TARGET, keys: ['A', 'B'] }).replaceAll('\n', '\r\n'));
    const trimmed = rendered.trimEnd();
    const appended = editedText(updateSecretManifest(ESO, { ...TARGET, keys: ['A', 'B'] }, trimmed));
    expect(appended).toBe(renderSecretManifest(ESO, { ...TARGET, keys: ['A', 'B'] }).trimEnd());
  });

  it('keeps a comment above the first entry when that entry goes, and removes one right above a later entry', () => {
    const before = [
      'kind: ExternalSecret',
      'metadata: {name: api-config}',
      'spec:',
      '  refreshInterval: 1h',
      '  secretStoreRef: {name: vault, kind: ClusterSecretStore}',
      '  data:',
      '    # entries below are synced by Hoist',
      '    - secretKey: GONE',
      '      remoteRef: {key: apps/api/dev/config, property: GONE}',
      '    - secretKey: KEPT',
      '      remoteRef: {key: apps/api/dev/config, property: KEPT}',
      '    # about ALSO_GONE',
      '    - secretKey: ALSO_GONE',
      '      remoteRef: {key: apps/api/dev/config, property: ALSO_GONE}',
      '    # about the end of the list',
      '',
    ].join('\n');
    const after = editedText(updateSecretManifest(ESO, { ...TARGET, keys: ['KEPT'] }, before));
    expect(after).toBe(
      [
        'kind: ExternalSecret',
        'metadata: {name: api-config}',
        'spec:',
        '  refreshInterval: 1h',
        '  secretStoreRef: {name: vault, kind: ClusterSecretStore}',
        '  data:',
        '    # entries below are synced by Hoist',
        '    - secretKey: KEPT',
        '      remoteRef: {key: apps/api/dev/config, property: KEPT}',
        '    # about the end of the list',
        '',
      ].join('\n'),
    );
  });

  it('edits a manifest of 8,000 entries: half removed, one added, the rest byte for byte', () => {
    // Speed is the bench's to judge; here only what the edit leaves.
    const keys = Array.from({ length: 8_000 }, (_, i) => `KEY_${String(i).padStart(6, '0')}`);
    const entry = (key: string) => `    - secretKey: ${key}\n      remoteRef:\n        key: apps/api/dev/config\n        property: ${key}\n`;
    const head =
      'kind: ExternalSecret\nmetadata:\n  name: api-config\nspec:\n  refreshInterval: 1h\n  secretStoreRef:\n    name: vault\n    kind: ClusterSecretStore\n  data:\n';
    const kept = keys.filter((_, i) => i % 2 === 0);
    const after = editedText(updateSecretManifest(ESO, { ...TARGET, keys: [...kept, 'ZZZ'] }, head + keys.map(entry).join('')));
    expect(after).toBe(head + kept.map(entry).join('') + entry('ZZZ'));
  });
});

describe('updateSecretManifest: refusals', () => {
  const rendered = renderSecretManifest(ESO, TARGET);

  it('refuses flow-style data, naming the document and field', () => {
    const text =
      'kind: ConfigMap\nmetadata: {name: x}\n---\nkind: ExternalSecret\nmetadata: {name: api-config}\nspec:\n  refreshInterval: 1h\n  secretStoreRef: {name: vault, kind: ClusterSecretStore}\n  data: [{secretKey: DB_USER, remoteRef: {key: apps/api/dev/config, property: DB_USER}}]\n';
    expect(refusal(updateSecretManifest(ESO, TARGET, text))).toBe(
      'document 2 (ExternalSecret api-config): spec.data: a flow sequence ([...]); Hoist edits only block lists (one `- ` item per entry)',
    );
  });

  it('refuses a file without the manifest, or with it in another namespace', () => {
    expect(refusal(updateSecretManifest(ESO, TARGET, 'kind: ConfigMap\nmetadata: {name: api-config}\n'))).toMatch(
      /^no ExternalSecret named api-config in namespace api-dev among the file's 1 document\(s\)/,
    );
    expect(refusal(updateSecretManifest(ESO, TARGET, rendered.replace('namespace: api-dev', 'namespace: web-dev')))).toMatch(
      /^no ExternalSecret named api-config/,
    );
    expect(refusal(updateSecretManifest(VSO, TARGET, rendered))).toMatch(/^no VaultStaticSecret named api-config/);
  });

  it('refuses two manifests of the same kind and name', () => {
    expect(refusal(updateSecretManifest(ESO, TARGET, `${rendered}---\n${rendered}`))).toBe(
      'documents 1 and 2 are both ExternalSecret api-config; Hoist cannot tell which one to edit',
    );
  });

  it('refuses anchors and aliases on the nodes it would edit', () => {
    expect(refusal(updateSecretManifest(ESO, { ...TARGET }, rendered.replace('refreshInterval: 1h', 'refreshInterval: &every 15m')))).toBe(
      'document 1 (ExternalSecret api-config): spec.refreshInterval: has an anchor (&every); editing it would change its aliases too',
    );
    const aliased = rendered
      .replace('  data:\n    - secretKey: DB_PASSWORD', '  data:\n    - &first\n      secretKey: DB_PASSWORD')
      .replace('  data:\n', '  data:\n    - *first\n');
    expect(refusal(updateSecretManifest(ESO, TARGET, aliased))).toBe(
      'document 1 (ExternalSecret api-config): spec.data[0]: an alias (*first); Hoist cannot tell whose entry it is',
    );
  });

  it("refuses to add a key a person's entry already fills from another path", () => {
    const text = renderSecretManifest(ESO, { ...TARGET, keys: ['DB_USER'] }).replace(
      '  data:\n',
      '  data:\n    - secretKey: STRIPE_KEY\n      remoteRef:\n        key: shared/stripe\n        property: api-key\n',
    );
    expect(refusal(updateSecretManifest(ESO, TARGET, text))).toBe(
      'document 1 (ExternalSecret api-config): spec.data[0]: already fills secretKey STRIPE_KEY from somewhere else than apps/api/dev/config; Hoist would write the key twice',
    );
  });

  it("leaves the entries of a person's manifest that extracts the whole path alone, and still updates its settings", () => {
    // Written by hand: every key of the path through dataFrom, no spec.data.
    const extracting = [
      'apiVersion: external-secrets.io/v1',
      'kind: ExternalSecret',
      'metadata: { name: api-config, namespace: api-dev }',
      'spec:',
      '  refreshInterval: 1h',
      '  secretStoreRef: { name: vault, kind: ClusterSecretStore }',
      '  target: { name: api-config }',
      '  dataFrom:',
      '    - extract: { key: apps/api/dev/config }  # all of them',
      '',
    ].join('\n');
    expect(updateSecretManifest(ESO, TARGET, extracting)).toEqual({ kind: 'unchanged' });
    expect(editedText(updateSecretManifest(configWith({ refreshInterval: '15m' }), TARGET, extracting))).toBe(
      extracting.replace('refreshInterval: 1h', 'refreshInterval: 15m'),
    );
    // Extracting another path does not cover this one.
    const other = extracting.replace('key: apps/api/dev/config', 'key: apps/api/prod/config');
    expect(refusal(updateSecretManifest(ESO, TARGET, other))).toMatch(/spec\.data: missing/);
  });

  it('refuses a file that is not valid YAML, and a secret with no keys', () => {
    expect(refusal(updateSecretManifest(ESO, TARGET, 'spec: [unclosed\n'))).toMatch(/^the manifest file: not valid YAML/);
    expect(refusal(updateSecretManifest(ESO, { ...TARGET, keys: [] }, rendered))).toMatch(/^target\.keys:/);
  });
});
