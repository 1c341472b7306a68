import { createServer } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EmbeddedVault, startEmbeddedVault } from '../../../../dev/embedded-vault';
import { VaultKvClient } from '../../../../lambdas/clients/vault/vault-kv-client';
import { TerminalError, UnavailableError, VaultCasError } from '../../../../lambdas/shared/errors';
import { closedLocalOrigin } from '../../../support/closed-port';
import { listenLocal } from '../../../support/listen-local';
import { rejectionOf } from '../../../support/rejection-of';

const SECRET_VALUE = 'p4ssw0rd-never-in-a-message';

describe('VaultKvClient against the embedded Vault', () => {
  let vault: EmbeddedVault;
  let kv: VaultKvClient;

  beforeEach(async () => {
    vault = await startEmbeddedVault();
    kv = new VaultKvClient({ url: vault.url, token: async () => vault.token });
  });
  afterEach(() => vault.stop());

  it('reads a path nothing was written to as undefined', async () => {
    expect(await kv.read('secret', 'apps/api/dev/config')).toBeUndefined();
  });

  it('writes with cas 0, then with cas 1, and reads the latest version back', async () => {
    expect(await kv.write('secret', 'apps/api/dev/config', { DB_PASSWORD: 'one' }, 0)).toBe(1);
    expect(await kv.write('secret', 'apps/api/dev/config', { DB_PASSWORD: 'two' }, 1)).toBe(2);
    expect(await kv.read('secret', 'apps/api/dev/config')).toEqual({ version: 2, data: { DB_PASSWORD: 'two' } });
    expect(vault.read('secret', 'apps/api/dev/config')?.data).toEqual({ DB_PASSWORD: 'two' });
  });

  it('throws VaultCasError when a person wrote a version in between, naming the path but not the value', async () => {
    await kv.write('secret', 'apps/api/dev/config', { DB_PASSWORD: 'one' }, 0);
    expect(vault.write('secret', 'apps/api/dev/config', { DB_PASSWORD: 'set by hand' })).toBe(2);

    const error = await rejectionOf(kv.write('secret', 'apps/api/dev/config', { DB_PASSWORD: SECRET_VALUE }, 1));

    expect(error).toBeInstanceOf(VaultCasError);
    expect(error.message).toContain('secret/apps/api/dev/config');
    expect(error.message).not.toContain(SECRET_VALUE);
    expect(vault.read('secret', 'apps/api/dev/config')).toMatchObject({ version: 2, data: { DB_PASSWORD: 'set by hand' } });
  });

  it('refuses cas 0 once the path has a version', async () => {
    vault.write('secret', 'apps/api/dev/config', { A: '1' });
    await expect(kv.write('secret', 'apps/api/dev/config', { A: '2' }, 0)).rejects.toBeInstanceOf(VaultCasError);
  });

  it('reads a soft-deleted latest version as its number without data, and a write names that number', async () => {
    await kv.write('secret', 'apps/api/dev/config', { A: '1' }, 0);
    await kv.deleteVersion('secret', 'apps/api/dev/config', 1);

    expect(await kv.read('secret', 'apps/api/dev/config')).toEqual({ version: 1, data: undefined });
    expect(vault.read('secret', 'apps/api/dev/config')?.deletionTime).not.toBe('');
    expect(await kv.write('secret', 'apps/api/dev/config', { A: '2' }, 1)).toBe(2);
  });

  it('deletes a path that has nothing without complaint', async () => {
    await expect(kv.deleteVersion('secret', 'apps/none/dev/config', 1)).resolves.toBeUndefined();
  });

  it('deletes the version it names, not one a person wrote since', async () => {
    await kv.write('secret', 'apps/api/dev/config', { A: '1' }, 0);
    vault.write('secret', 'apps/api/dev/config', { A: 'by hand' });

    await kv.deleteVersion('secret', 'apps/api/dev/config', 1);

    expect(await kv.read('secret', 'apps/api/dev/config')).toEqual({ version: 2, data: { A: 'by hand' } });
    expect(vault.requests.at(-2)).toMatchObject({ method: 'POST', path: '/v1/secret/delete/apps/api/dev/config' });
  });

  it('encodes each path segment', async () => {
    await kv.write('secret', 'apps/a b/dev', { A: '1' }, 0);
    expect(vault.read('secret', 'apps/a b/dev')?.version).toBe(1);
    expect(vault.requests.at(-1)?.path).toBe('/v1/secret/data/apps/a%20b/dev');
  });

  it.each(['apps/../sys/config', 'apps//dev', '/apps/dev', 'apps/./dev'])('refuses the path %s before sending anything', async (path) => {
    const error = await rejectionOf(kv.read('secret', path));
    expect(error).toBeInstanceOf(TerminalError);
    expect(vault.requests).toHaveLength(0);
  });

  it('answers an unknown mount with a TerminalError that names it', async () => {
    const error = await rejectionOf(kv.read('kv-missing', 'apps/api'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toContain('kv-missing/apps/api');
  });

  it('drops the cached token on a 403 and retries once with a fresh one', async () => {
    const token = vi.fn<() => Promise<string>>().mockResolvedValueOnce('hvs.revoked').mockResolvedValue(vault.token);
    const onForbidden = vi.fn();
    const client = new VaultKvClient({ url: vault.url, token, onForbidden });
    vault.write('secret', 'apps/api/dev/config', { A: '1' });

    expect(await client.read('secret', 'apps/api/dev/config')).toEqual({ version: 1, data: { A: '1' } });
    expect(token).toHaveBeenCalledTimes(2);
    expect(onForbidden).toHaveBeenCalledTimes(1);
  });

  it('gives up after the second 403 for good (the policy, not the token, refuses), saying so without the token', async () => {
    const token = vi.fn(async () => 'hvs.not-a-token-vault-knows');
    const onForbidden = vi.fn();
    const client = new VaultKvClient({ url: vault.url, token, onForbidden });

    const error = await rejectionOf(client.write('secret', 'apps/api/dev/config', { A: SECRET_VALUE }, 0));

    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toContain('Vault refused the token (403)');
    expect(error.message).not.toContain('hvs.not-a-token-vault-knows');
    expect(error.message).not.toContain(SECRET_VALUE);
    expect(token).toHaveBeenCalledTimes(2);
    expect(onForbidden).toHaveBeenCalledTimes(1);
    expect(vault.read('secret', 'apps/api/dev/config')).toBeUndefined();
  });
});

describe('VaultKvClient: namespaces', () => {
  it('sends X-Vault-Namespace, without which the namespaced mount is not found', async () => {
    const vault = await startEmbeddedVault({ namespace: 'team-a' });
    try {
      const namespaced = new VaultKvClient({ url: vault.url, namespace: 'team-a', token: async () => vault.token });
      expect(await namespaced.write('secret', 'apps/api/dev/config', { A: '1' }, 0)).toBe(1);
      expect(await namespaced.read('secret', 'apps/api/dev/config')).toEqual({ version: 1, data: { A: '1' } });
      expect(vault.requests.map((r) => r.namespace)).toEqual(['team-a', 'team-a']);

      const rootNamespace = new VaultKvClient({ url: vault.url, token: async () => vault.token });
      await expect(rootNamespace.read('secret', 'apps/api/dev/config')).rejects.toBeInstanceOf(TerminalError);
    } finally {
      await vault.stop();
    }
  });
});

describe('VaultKvClient: Vault out of reach', () => {
  const TOKEN = 'hvs.secret-token-value';

  it('answers a refused connection with a retryable error naming only the host', async () => {
    const origin = await closedLocalOrigin();
    const client = new VaultKvClient({ url: `${origin}/`, token: async () => TOKEN });

    const error = await rejectionOf(client.write('secret', 'apps/api/dev/config', { A: SECRET_VALUE }, 0));

    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe(`Vault unreachable at ${origin} (ECONNREFUSED)`);
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(TOKEN);
  });

  it('gives up on a Vault that does not answer within the timeout', async () => {
    // Accepts the connection, never answers.
    const local = await listenLocal(createServer(() => {}));
    try {
      const client = new VaultKvClient({ url: local.origin, token: async () => TOKEN, timeoutMs: 200 });
      const error = await rejectionOf(client.read('secret', 'apps/api/dev/config'));
      expect(error).toBeInstanceOf(UnavailableError);
      expect(error.message).toBe(`Vault unreachable at ${local.origin} (no answer within 0.2 s)`);
    } finally {
      await local.close();
    }
  });

  it("answers a sealed Vault's 503 with a retryable error and a 400 with a terminal one", async () => {
    // Vault's documented answer while sealed: 503 {"errors":["Vault is sealed"]}.
    let answer = { status: 503, errors: ['Vault is sealed'] };
    const local = await listenLocal(
      createServer((_req, res) => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: answer.errors }));
      }),
    );
    try {
      const client = new VaultKvClient({ url: local.origin, token: async () => TOKEN });
      const sealed = await rejectionOf(client.read('secret', 'apps/api/dev/config'));
      expect(sealed).toBeInstanceOf(UnavailableError);
      expect(sealed.message).toContain('503: Vault is sealed');

      answer = { status: 400, errors: ['invalid cas parameter'] };
      const refused = await rejectionOf(client.write('secret', 'apps/api/dev/config', { A: SECRET_VALUE }, 3));
      expect(refused).toBeInstanceOf(TerminalError);
      expect(refused).not.toBeInstanceOf(VaultCasError);
      expect(refused.message).not.toContain(SECRET_VALUE);
    } finally {
      await local.close();
    }
  });

  it('does not follow a redirect, so the token never goes where it points', async () => {
    const elsewhere: string[] = [];
    const other = await listenLocal(
      createServer((req, res) => {
        elsewhere.push(String(req.headers['x-vault-token']));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }),
    );
    const redirecting = await listenLocal(createServer((_req, res) => res.writeHead(307, { location: `${other.origin}/v1/secret/data/x` }).end()));
    try {
      const client = new VaultKvClient({ url: redirecting.origin, token: async () => TOKEN });
      const error = await rejectionOf(client.read('secret', 'apps/api/dev/config'));
      expect(error).toBeInstanceOf(TerminalError);
      expect(error.message).toContain('redirect (307)');
      expect(elsewhere).toEqual([]);
    } finally {
      await redirecting.close();
      await other.close();
    }
  });

  it('refuses a URL that carries credentials, without repeating them', async () => {
    const client = new VaultKvClient({ url: 'https://user:hunter2@vault.example.com', token: async () => TOKEN });
    const error = await rejectionOf(client.read('secret', 'apps/api/dev/config'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).not.toContain('hunter2');
  });
});
