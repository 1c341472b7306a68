import { describe, expect, it } from 'vitest';
import { parsePromotionConfig } from '../../../../lambdas/core/config/parse-promotion-config';
import { mapSecret, vaultKeyOf } from '../../../../lambdas/core/secrets/map-secret';
import type { SecretSyncConfig } from '../../../../lambdas/core/secrets/secret-sync-config';
import { digestOf, secretDataOf } from '../../../../lambdas/core/secrets/secret-values';
import { TerminalError } from '../../../../lambdas/shared/errors';

const REPO = 'repositories: [{ name: gitops, provider: git, url: /x }]\n';

function settingsOf(secrets: string): SecretSyncConfig {
  const config = parsePromotionConfig(`${REPO}secrets:\n${secrets}`);
  if (config.secrets === undefined) throw new Error('no secrets section');
  return config.secrets;
}

const BASE = '  vault: { url: https://vault.example.com, auth: { method: token, tokenSecretName: hoist/vault-token } }\n  manifests: { repository: gitops }\n';

describe('secrets: mapping a secret to a service, an environment and a Vault path', () => {
  it('maps by the default name pattern into the default KV v2 layout', () => {
    const result = mapSecret(settingsOf(BASE), { name: 'hoist/apps/api/dev' });
    expect(result).toEqual({
      kind: 'mapped',
      target: { service: 'api', environment: 'dev', vault: { mount: 'secret', path: 'apps/api/dev/config' }, plainKey: 'value', mappedBy: 'name' },
    });
    if (result.kind === 'mapped') expect(vaultKeyOf(result.target)).toBe('secret/apps/api/dev/config');
  });

  it('follows a custom pattern, mount, prefix and path template', () => {
    const settings = settingsOf(
      '  vault: { url: https://vault.example.com, mount: kv, prefix: teams/core, path: "{mount}/data/{prefix}/{environment}/{service}", auth: { method: aws-iam, role: hoist } }\n  mapping: { namePattern: "{environment}/{service}/app" }\n  manifests: { repository: gitops }\n',
    );
    expect(mapSecret(settings, { name: 'prod/worker/app' })).toMatchObject({
      kind: 'mapped',
      target: { vault: { mount: 'kv', path: 'teams/core/prod/worker' } },
    });
    // One placeholder is one path segment: `a/b` is not a service.
    expect(mapSecret(settings, { name: 'prod/a/b/app' }).kind).toBe('unmapped');
  });

  it('lets tags win over the name, and an explicit entry over both', () => {
    const settings = settingsOf(`${BASE}  mapping:\n    entries: [{ secret: hoist/apps/api/dev, service: billing, environment: staging, plainKey: TOKEN }]\n`);
    const tags = { 'hoist:service': 'web', 'hoist:environment': 'prod' };
    expect(mapSecret(settings, { name: 'hoist/legacy/web-session', tags })).toMatchObject({
      target: { service: 'web', environment: 'prod', mappedBy: 'tags' },
    });
    // A name and tags that disagree map nowhere: whoever may tag a secret must not move it onto another service's path.
    expect(mapSecret(settings, { name: 'hoist/apps/team-a/dev', tags })).toEqual({
      kind: 'unmapped',
      reason: 'secret hoist/apps/team-a/dev: its name says team-a/dev, its tags say web/prod; make them agree or map it in mapping.entries',
    });
    expect(mapSecret(settings, { name: 'hoist/apps/web/prod', tags })).toMatchObject({ target: { service: 'web', environment: 'prod' } });
    expect(mapSecret(settings, { name: 'hoist/apps/api/dev', tags })).toMatchObject({
      target: { service: 'billing', environment: 'staging', plainKey: 'TOKEN', mappedBy: 'entry' },
    });
    // Tags count only when mapping.tags is on.
    const untagged = settingsOf(`${BASE}  mapping: { tags: false }\n`);
    expect(mapSecret(untagged, { name: 'other/name', tags })).toMatchObject({ kind: 'unmapped' });
  });

  it('refuses a service or environment that is not a DNS label, naming where it came from', () => {
    const result = mapSecret(settingsOf(BASE), { name: 'x', tags: { 'hoist:service': '../etc', 'hoist:environment': 'dev' } });
    expect(result).toEqual({ kind: 'unmapped', reason: "secret x: service '../etc' (by tags) is not a DNS label" });
    expect(mapSecret(settingsOf(BASE), { name: 'hoist/apps/API/dev' })).toMatchObject({ kind: 'unmapped', reason: expect.stringContaining("service 'API'") });
  });

  it('says why a secret maps nowhere', () => {
    expect(mapSecret(settingsOf(BASE), { name: 'team/db' })).toEqual({
      kind: 'unmapped',
      reason: 'secret team/db matches no entry, no hoist:service/hoist:environment tags and not the name pattern hoist/apps/{service}/{environment}',
    });
  });
});

describe('secrets: config section', () => {
  const messageOf = (text: string): string => {
    try {
      parsePromotionConfig(text);
    } catch (error) {
      expect(error).toBeInstanceOf(TerminalError);
      return (error as Error).message;
    }
    throw new Error('config was accepted');
  };

  it('names the path of each bad setting', () => {
    const message = messageOf(
      `${REPO}secrets:\n  vault: { url: ftp://vault, path: "{mount}/{service}", auth: { method: token } }\n  mapping: { namePattern: "apps/{team}" }\n  manifests: { repository: other, file: "../{service}/{environment}.yaml", refreshInterval: hourly }\n`,
    );
    expect(message).toMatch(/→ at secrets\.vault\.url/);
    expect(message).toMatch(/a KV v2 path starts with \{mount\}\/data\/\n\s+→ at secrets\.vault\.path/);
    expect(message).toMatch(/name tokenSecretName or env\n\s+→ at secrets\.vault\.auth/);
    expect(message).toMatch(/unknown placeholder \{team\}.*\n\s+→ at secrets\.mapping\.namePattern/);
    expect(message).toMatch(/'\.\.' segments\n\s+→ at secrets\.manifests\.file/);
    expect(message).toMatch(/a duration such as 30s, 15m or 1h\n\s+→ at secrets\.manifests\.refreshInterval/);
  });

  it('wants service and environment as whole path segments, so two secrets never share a path by accident', () => {
    const message = messageOf(
      `${REPO}secrets:\n  vault: { url: https://v, path: "{mount}/data/{service}{environment}", auth: { method: aws-iam, role: r } }\n  mapping: { namePattern: "apps/{service}-{environment}" }\n  manifests: { repository: gitops }\n`,
    );
    expect(message).toMatch(/\{service\} must be a whole path segment \(between slashes\)\n\s+→ at secrets\.vault\.path/);
    expect(message).toMatch(/\{environment\} must be a whole path segment \(between slashes\)\n\s+→ at secrets\.mapping\.namePattern/);
  });

  it('names a manifests repository that is not configured', () => {
    expect(
      messageOf(
        `repositories: [{ name: gitops, provider: git, url: /x }]\nsecrets:\n  vault: { url: https://v, auth: { method: aws-iam, role: r } }\n  manifests: { repository: other }\n`,
      ),
    ).toMatch(/no repository named 'other'\n\s+→ at secrets\.manifests\.repository/);
  });
});

describe('secrets: values', () => {
  it('syncs a JSON object key by key and anything else as the one plain key', () => {
    expect(secretDataOf('{"DB_PASSWORD":"p","PORT":5432,"DEBUG":false}', 'value')).toEqual({
      kind: 'data',
      data: { DB_PASSWORD: 'p', PORT: 5432, DEBUG: false },
    });
    expect(secretDataOf('just-a-token', 'TOKEN')).toEqual({ kind: 'data', data: { TOKEN: 'just-a-token' } });
    expect(secretDataOf('["a"]', 'value')).toEqual({ kind: 'data', data: { value: '["a"]' } });
  });

  it('refuses what Vault keys cannot carry, naming the key and never the value', () => {
    const nested = secretDataOf('{"db":{"password":"marker-value-1"}}', 'value');
    expect(nested).toEqual({ kind: 'refused', reason: 'key db holds a nested object; only strings, numbers and booleans sync' });
    expect(JSON.stringify(nested)).not.toContain('marker-value-1');
    expect(secretDataOf(undefined, 'value')).toMatchObject({ kind: 'refused', reason: expect.stringContaining('binary') });
    expect(secretDataOf('{}', 'value')).toMatchObject({ kind: 'refused' });
  });

  it('refuses what JSON.parse would change without a word, naming the key and never the value', () => {
    for (const [text, key] of [
      ['{"ACCOUNT":12345678901234567890}', 'ACCOUNT'],
      ['{"A":"x","RATIO":1.10}', 'RATIO'],
      ['{"LIMIT":1e3}', 'LIMIT'],
    ] as const) {
      const result = secretDataOf(text, 'value');
      expect(result).toEqual({ kind: 'refused', reason: expect.stringContaining(`key ${key} holds a number that would change`) });
      expect(JSON.stringify(result)).not.toMatch(/12345678901234567890|1\.10|1e3/);
    }
    expect(secretDataOf('{"A":"1","A":"2"}', 'value')).toEqual({ kind: 'refused', reason: 'key A appears twice' });
    // Numbers that come back as written, and number-like text inside strings, are fine.
    expect(secretDataOf('{ "PORT" : 5432, "RATE": -0.25, "NOTE": "1.10, \\"A\\": 1e3" }', 'value')).toEqual({
      kind: 'data',
      data: { PORT: 5432, RATE: -0.25, NOTE: '1.10, "A": 1e3' },
    });
  });

  it('keeps __proto__ as a key like any other', () => {
    const result = secretDataOf('{"A":"1","__proto__":"x"}', 'value');
    expect(result.kind === 'data' && Object.keys(result.data)).toEqual(['A', '__proto__']);
    expect(result.kind === 'data' && Object.getPrototypeOf(result.data)).toBe(Object.prototype);
  });

  it('digests data independent of key order, and tells values apart', () => {
    expect(digestOf({ a: '1', b: 2 })).toBe(digestOf({ b: 2, a: '1' }));
    expect(digestOf({ a: '1' })).not.toBe(digestOf({ a: 1 }));
    expect(digestOf({ a: 'x\n', b: '' })).not.toBe(digestOf({ a: 'x', b: '\n' }));
  });
});
