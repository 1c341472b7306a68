import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedVault, startEmbeddedVault } from '../../dev/embedded-vault';

/*
 * The embedded Vault is the fake the Vault client is tested against, so it
 * is held to Vault's documented HTTP API here, with plain fetch calls. Each
 * test names the behaviour of the KV v2 API docs
 * (developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2), the AWS auth
 * method docs (…/api-docs/auth/aws, "Login") or Vault's HTTP API overview
 * (…/api-docs, "Error Response") it follows.
 */

let vault: EmbeddedVault;
const call = async (method: string, path: string, options: { token?: string | null; body?: unknown; namespace?: string } = {}) => {
  const headers: Record<string, string> = {};
  if (options.token !== null) headers['x-vault-token'] = options.token ?? vault.token;
  if (options.namespace !== undefined) headers['x-vault-namespace'] = options.namespace;
  const response = await fetch(`${vault.url}/v1/${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as any) };
};

describe('embedded Vault: KV v2 API', () => {
  beforeEach(async () => {
    vault = await startEmbeddedVault({ token: 'root-token' });
  });
  afterEach(() => vault.stop());

  it('uses the given root token and listens on loopback only', () => {
    expect(vault.token).toBe('root-token');
    expect(vault.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('"Read Secret Version" of a path never written: 404 with an empty errors list', async () => {
    expect(await call('GET', 'secret/data/apps/api')).toEqual({ status: 404, body: { errors: [] } });
  });

  it('"Create/Update Secret": 200 with the new version\'s metadata; "Read Secret Version" answers data and metadata', async () => {
    const written = await call('POST', 'secret/data/apps/api', { body: { data: { foo: 'bar' } } });
    expect(written.status).toBe(200);
    expect(written.body.data).toEqual({ created_time: expect.any(String), custom_metadata: null, deletion_time: '', destroyed: false, version: 1 });

    const read = await call('GET', 'secret/data/apps/api');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: { data: { foo: 'bar' }, metadata: { created_time: written.body.data.created_time, deletion_time: '', destroyed: false, version: 1 } },
    });
  });

  it('"options.cas": 0 writes only when absent, N only when N is current; a mismatch is 400 with Vault\'s text', async () => {
    expect((await call('POST', 'secret/data/apps/api', { body: { options: { cas: 0 }, data: { a: '1' } } })).body.data.version).toBe(1);
    expect(await call('POST', 'secret/data/apps/api', { body: { options: { cas: 0 }, data: { a: '2' } } })).toEqual({
      status: 400,
      body: { errors: ['check-and-set parameter did not match the current version'] },
    });
    expect((await call('POST', 'secret/data/apps/api', { body: { options: { cas: 1 }, data: { a: '2' } } })).body.data.version).toBe(2);
    expect((await call('POST', 'secret/data/apps/api', { body: { options: { cas: 1 }, data: { a: '3' } } })).status).toBe(400);
    expect(vault.read('secret', 'apps/api')).toMatchObject({ version: 2, data: { a: '2' } });
  });

  it('"Read Secret Version" with ?version=N reads an older version', async () => {
    vault.write('secret', 'apps/api', { a: '1' });
    vault.write('secret', 'apps/api', { a: '2' });
    expect((await call('GET', 'secret/data/apps/api?version=1')).body.data).toMatchObject({ data: { a: '1' }, metadata: { version: 1 } });
  });

  it('"Delete Latest Version of Secret": 204; the version then reads as 404 with data null and its deletion_time', async () => {
    vault.write('secret', 'apps/api', { a: '1' });
    expect(await call('DELETE', 'secret/data/apps/api')).toEqual({ status: 204, body: undefined });

    const read = await call('GET', 'secret/data/apps/api');
    expect(read.status).toBe(404);
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({ data: null, metadata: expect.objectContaining({ version: 1, destroyed: false, deletion_time: expect.any(String) }) });
    expect(read.body.data.metadata.deletion_time).not.toBe('');
  });

  it('"Read Secret Metadata": current_version and each version\'s times; 404 for a path never written', async () => {
    vault.write('secret', 'apps/api', { a: '1' });
    vault.write('secret', 'apps/api', { a: '2' });
    await call('DELETE', 'secret/data/apps/api');

    const metadata = await call('GET', 'secret/metadata/apps/api');
    expect(metadata.status).toBe(200);
    expect(metadata.body.data).toMatchObject({ cas_required: false, current_version: 2, max_versions: 0 });
    expect(Object.keys(metadata.body.data.versions)).toEqual(['1', '2']);
    expect(metadata.body.data.versions['1'].deletion_time).toBe('');
    expect(metadata.body.data.versions['2'].deletion_time).not.toBe('');
    expect((await call('GET', 'secret/metadata/apps/none')).status).toBe(404);
  });

  it('"Error Response": a missing or unknown token is 403 permission denied', async () => {
    expect(await call('GET', 'secret/data/apps/api', { token: null })).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    expect(await call('POST', 'secret/data/apps/api', { token: 'hvs.unknown', body: { data: { a: '1' } } })).toEqual({
      status: 403,
      body: { errors: ['permission denied'] },
    });
    expect(vault.read('secret', 'apps/api')).toBeUndefined();
  });

  it('a mount that does not exist is 404 "no handler for route"', async () => {
    const answer = await call('GET', 'kv/data/apps/api');
    expect(answer.status).toBe(404);
    expect(answer.body.errors[0]).toMatch(/^no handler for route "kv\/data\/apps\/api"/);
  });

  it('a write without data is refused with 400', async () => {
    expect((await call('POST', 'secret/data/apps/api', { body: { options: { cas: 0 } } })).status).toBe(400);
  });
});

describe('embedded Vault: namespaces', () => {
  afterEach(() => vault.stop());

  it('"X-Vault-Namespace": the mount exists only in the configured namespace', async () => {
    vault = await startEmbeddedVault({ namespace: 'team-a' });
    expect((await call('POST', 'secret/data/apps/api', { namespace: 'team-a', body: { data: { a: '1' } } })).status).toBe(200);
    expect((await call('GET', 'secret/data/apps/api')).status).toBe(404);
    expect((await call('GET', 'secret/data/apps/api', { namespace: 'team-b' })).status).toBe(404);
    expect(vault.requests.map((r) => r.namespace)).toEqual(['team-a', undefined, 'team-b']);
  });
});

describe('embedded Vault: AWS auth method, IAM login', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const authorization = (signed: string) =>
    `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/sts/aws4_request, SignedHeaders=${signed}, Signature=${'a'.repeat(64)}`;
  const loginBody = (headers: Record<string, string | string[]>, fields: Record<string, unknown> = {}) => ({
    role: 'hoist',
    iam_http_request_method: 'POST',
    iam_request_url: b64('https://sts.amazonaws.com/'),
    iam_request_body: b64('Action=GetCallerIdentity&Version=2011-06-15'),
    iam_request_headers: b64(JSON.stringify(headers)),
    ...fields,
  });
  const without = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
  const goodHeaders: Record<string, string> = {
    Host: 'sts.amazonaws.com',
    'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    'X-Amz-Date': '20240501T120000Z',
    'X-Vault-AWS-IAM-Server-ID': 'vault.example.com',
    Authorization: authorization('content-type;host;x-amz-date;x-vault-aws-iam-server-id'),
  };

  beforeEach(async () => {
    vault = await startEmbeddedVault({ awsIam: { role: 'hoist', serverId: 'vault.example.com', leaseDuration: 3600 } });
  });
  afterEach(() => vault.stop());

  it('"Login": answers auth.client_token and lease_duration; the token then reads KV', async () => {
    // Header values as lists, the other form Vault accepts (Go's http.Header).
    const listed = Object.fromEntries(Object.entries(goodHeaders).map(([k, v]) => [k, [v]]));
    const login = await call('POST', 'auth/aws/login', { token: null, body: loginBody(listed) });
    expect(login.status).toBe(200);
    expect(login.body.auth).toMatchObject({ client_token: expect.stringMatching(/^hvs\./), lease_duration: 3600, renewable: true });
    expect((await call('GET', 'secret/data/apps/api', { token: login.body.auth.client_token })).status).toBe(404);

    vault.revoke(login.body.auth.client_token);
    expect((await call('GET', 'secret/data/apps/api', { token: login.body.auth.client_token })).status).toBe(403);
  });

  it.each([
    ['an unknown role', loginBody(goodHeaders, { role: 'other' }), 'entry for role other not found'],
    ['a field that is not base64', loginBody(goodHeaders, { iam_request_body: 'not base64!' }), 'iam_request_body'],
    ['another STS action', loginBody(goodHeaders, { iam_request_body: b64('Action=GetSessionToken&Version=2011-06-15') }), 'GetCallerIdentity'],
    ['a URL that is not STS', loginBody(goodHeaders, { iam_request_url: b64('https://example.com/') }), 'STS endpoint'],
    ['no Authorization header', loginBody(without(goodHeaders, 'Authorization')), 'Authorization'],
    ['an unsigned host', loginBody({ ...goodHeaders, Authorization: authorization('x-amz-date;x-vault-aws-iam-server-id') }), 'host is not a signed header'],
    ['no server id header', loginBody(without(goodHeaders, 'X-Vault-AWS-IAM-Server-ID')), 'missing header "X-Vault-AWS-IAM-Server-ID"'],
    ['another server id', loginBody({ ...goodHeaders, 'X-Vault-AWS-IAM-Server-ID': 'other.example.com' }), 'expected "vault.example.com"'],
    ['an unsigned server id', loginBody({ ...goodHeaders, Authorization: authorization('content-type;host;x-amz-date') }), "vault header wasn't signed"],
  ])('refuses a login with %s (400)', async (_, body, reason) => {
    const login = await call('POST', 'auth/aws/login', { token: null, body });
    expect(login.status).toBe(400);
    expect(login.body.errors[0]).toContain(reason);
    expect(vault.logins).toHaveLength(0);
  });
});
