import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type EmbeddedVault, startEmbeddedVault } from '../../../../dev/embedded-vault';
import { VaultKvClient } from '../../../../lambdas/clients/vault/vault-kv-client';
import { awsIamVaultLogin, staticVaultToken } from '../../../../lambdas/clients/vault/vault-token';
import { TerminalError } from '../../../../lambdas/shared/errors';
import { rejectionOf } from '../../../support/rejection-of';

/** AWS's documentation example key pair; never valid anywhere. */
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = Date.parse('2024-05-01T12:00:00Z');

let vault: EmbeddedVault | undefined;
afterEach(async () => {
  await vault?.stop();
  vault = undefined;
});

/** The signature AWS would compute for this request, signed again from scratch with `credentials` at the request's own date. */
async function expectedAuthorization(
  login: { url: string; body: string; headers: Readonly<Record<string, string>> },
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = CREDENTIALS,
): Promise<string | undefined> {
  const amzDate = login.headers['x-amz-date'] ?? '';
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const url = new URL(login.url);
  // Only what the client chose to send; the signer adds the date, the session token and the signature itself.
  const headers = Object.fromEntries(Object.entries(login.headers).filter(([name]) => !['authorization', 'x-amz-date', 'x-amz-security-token'].includes(name)));
  // applyChecksum off: sign exactly the headers that were sent, as STS will.
  const signer = new SignatureV4({ service: 'sts', region, credentials, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    { method: 'POST', protocol: url.protocol, hostname: url.hostname, path: url.pathname, query: {}, headers, body: login.body },
    { signingDate },
  );
  return signed.headers.authorization;
}

describe('awsIamVaultLogin', () => {
  it('sends a GetCallerIdentity request signed with SigV4, the server id header among the signed ones', async () => {
    vault = await startEmbeddedVault({ awsIam: { role: 'hoist', serverId: 'vault.example.com' } });
    const source = awsIamVaultLogin({ url: vault.url, role: 'hoist', serverId: 'vault.example.com', credentials: async () => CREDENTIALS, now: () => NOW });

    const token = await source.token();

    expect(vault.logins).toHaveLength(1);
    const login = vault.logins[0];
    if (login === undefined) throw new Error('no login');
    expect(token).toBe(login.clientToken);
    expect(login).toMatchObject({ role: 'hoist', method: 'POST', url: 'https://sts.amazonaws.com/', body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(login.headers).toMatchObject({
      host: 'sts.amazonaws.com',
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-vault-aws-iam-server-id': 'vault.example.com',
      'x-amz-date': '20240501T120000Z',
    });
    expect(login.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240501\/us-east-1\/sts\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-vault-aws-iam-server-id, Signature=[0-9a-f]{64}$/,
    );
    expect(login.headers.authorization).toBe(await expectedAuthorization(login, 'us-east-1'));
    // The comparison above can fail: another key gives another signature.
    expect(login.headers.authorization).not.toBe(await expectedAuthorization(login, 'us-east-1', { ...CREDENTIALS, secretAccessKey: 'other' }));
  });

  it("signs for the configured STS region's endpoint, with the session token of role credentials", async () => {
    vault = await startEmbeddedVault({ awsIam: { role: 'hoist' } });
    const credentials = { ...CREDENTIALS, sessionToken: 'session-token-example' };
    const source = awsIamVaultLogin({ url: vault.url, role: 'hoist', stsRegion: 'eu-west-1', credentials: async () => credentials, now: () => NOW });

    await source.token();

    const login = vault.logins[0];
    if (login === undefined) throw new Error('no login');
    expect(login.url).toBe('https://sts.eu-west-1.amazonaws.com/');
    expect(login.headers.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(login.headers['x-amz-security-token']).toBe('session-token-example');
    expect(login.headers.authorization).toContain('/20240501/eu-west-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,');
    expect(login.headers.authorization).toBe(await expectedAuthorization(login, 'eu-west-1', credentials));
  });

  it("sends the headers as Go's http.Header form Vault documents: canonical names, lists of values", async () => {
    vault = await startEmbeddedVault({ awsIam: { role: 'hoist', serverId: 'vault.example.com' } });
    const bodies: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      bodies.push(String(init?.body));
      return fetch(input, init);
    };
    const source = awsIamVaultLogin({ url: vault.url, role: 'hoist', serverId: 'vault.example.com', credentials: async () => CREDENTIALS, fetch: recording });

    await source.token();

    const sent = JSON.parse(bodies[0] ?? '{}') as { iam_request_headers: string };
    const headers = JSON.parse(Buffer.from(sent.iam_request_headers, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(headers).sort()).toEqual(['Authorization', 'Content-Type', 'Host', 'X-Amz-Date', 'X-Vault-Aws-Iam-Server-Id']);
    expect(headers['X-Vault-Aws-Iam-Server-Id']).toEqual(['vault.example.com']);
  });

  it('keeps the token until shortly before its lease ends, and logs in again after forget()', async () => {
    vault = await startEmbeddedVault({ awsIam: { role: 'hoist', leaseDuration: 100 } });
    let now = NOW;
    const source = awsIamVaultLogin({ url: vault.url, role: 'hoist', credentials: async () => CREDENTIALS, now: () => now });

    const first = await source.token();
    now = NOW + 89_000;
    expect(await source.token()).toBe(first);
    expect(vault.logins).toHaveLength(1);

    // Within the last tenth of the lease: a new login.
    now = NOW + 91_000;
    const second = await source.token();
    expect(second).not.toBe(first);
    expect(vault.logins).toHaveLength(2);

    source.forget();
    const third = await source.token();
    expect(third).not.toBe(second);
    expect(vault.logins).toHaveLength(3);
  });

  it('shares one login between concurrent callers', async () => {
    vault = await startEmbeddedVault({ awsIam: { role: 'hoist' } });
    const source = awsIamVaultLogin({ url: vault.url, role: 'hoist', credentials: async () => CREDENTIALS, now: () => NOW });

    const tokens = await Promise.all([source.token(), source.token(), source.token()]);

    expect(new Set(tokens).size).toBe(1);
    expect(vault.logins).toHaveLength(1);
  });

  it('logs in again through the KV client when Vault refuses a revoked token', async () => {
    vault = await startEmbeddedVault({ awsIam: { role: 'hoist', mount: 'aws-hoist' }, namespace: 'team-a' });
    const source = awsIamVaultLogin({
      url: vault.url,
      namespace: 'team-a',
      mount: 'aws-hoist',
      role: 'hoist',
      credentials: async () => CREDENTIALS,
      now: () => NOW,
    });
    const kv = new VaultKvClient({ url: vault.url, namespace: 'team-a', token: source.token, onForbidden: source.forget });
    expect(await kv.write('secret', 'apps/api/dev/config', { A: '1' }, 0)).toBe(1);

    vault.revoke(vault.logins[0]?.clientToken ?? '');

    expect(await kv.read('secret', 'apps/api/dev/config')).toEqual({ version: 1, data: { A: '1' } });
    expect(vault.logins).toHaveLength(2);
  });

  it('answers a refused login with a TerminalError that names the role and not the key', async () => {
    vault = await startEmbeddedVault({ awsIam: { role: 'hoist', serverId: 'vault.example.com' } });
    const missingServerId = awsIamVaultLogin({ url: vault.url, role: 'hoist', credentials: async () => CREDENTIALS, now: () => NOW });

    const error = await rejectionOf(missingServerId.token());

    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toContain("role 'hoist' (400)");
    expect(error.message).toContain('X-Vault-AWS-IAM-Server-ID');
    expect(error.message).not.toContain(CREDENTIALS.secretAccessKey);
    expect(vault.logins).toHaveLength(0);

    const wrongRole = awsIamVaultLogin({ url: vault.url, role: 'other', serverId: 'vault.example.com', credentials: async () => CREDENTIALS, now: () => NOW });
    await expect(wrongRole.token()).rejects.toThrow(/role 'other' \(400\)/);
  });
});

describe('staticVaultToken', () => {
  it('asks its source on every call; forget() changes nothing', async () => {
    const read = vi.fn(async () => 'hvs.stored');
    const source = staticVaultToken(read);

    expect(await source.token()).toBe('hvs.stored');
    source.forget();
    expect(await source.token()).toBe('hvs.stored');
    expect(read).toHaveBeenCalledTimes(2);
  });
});
