import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { MANIFEST_MEDIA_TYPES, OciImageRegistry, type RegistryCredentials } from '../../../../lambdas/clients/registry/oci-image-registry';
import { parseImageName } from '../../../../lambdas/clients/registry/parse-image-name';
import { parseWwwAuthenticate } from '../../../../lambdas/clients/registry/parse-www-authenticate';
import { TerminalError, UnavailableError } from '../../../../lambdas/shared/errors';
import { type FakeOciRegistry, type FakeOciRegistryOptions, startFakeOciRegistry } from '../../../support/fake-oci-registry';
import { listenLocal } from '../../../support/listen-local';
import { rejectionOf } from '../../../support/rejection-of';

/*
 * Against test/support/fake-oci-registry.ts, a loopback registry and token
 * service that answer as the OCI distribution spec and the Docker token
 * authentication spec document, error bodies included.
 */
describe('OCI image registry', () => {
  const started: FakeOciRegistry[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((registry) => registry.close()));
  });
  const start = async (options?: FakeOciRegistryOptions) => {
    const registry = await startFakeOciRegistry(options);
    started.push(registry);
    return registry;
  };
  const credentialsOf =
    (registry: FakeOciRegistry, password = registry.password) =>
    async (host: string): Promise<RegistryCredentials | undefined> =>
      host === registry.host ? { username: registry.username, password } : undefined;
  const clientOf = (registry: FakeOciRegistry, options: ConstructorParameters<typeof OciImageRegistry>[0] = {}) =>
    new OciImageRegistry({ plainHttp: [registry.host], credentials: credentialsOf(registry), ...options });

  describe('lookups', () => {
    it('gives the digest of a tag the registry has, as the sha256 of the manifest it serves', async () => {
      const registry = await start();
      const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };
      registry.push('acme/api', 'sha-eac743d', manifest, 'application/vnd.oci.image.index.v1+json');
      const found = await clientOf(registry).resolve(`${registry.host}/acme/api`, 'sha-eac743d');
      expect(found).toEqual({ digest: `sha256:${createHash('sha256').update(JSON.stringify(manifest)).digest('hex')}` });
      expect(registry.accepts.at(-1)?.split(', ')).toEqual([...MANIFEST_MEDIA_TYPES]);
      expect(registry.requests.filter((r) => r.includes('/manifests/'))).toEqual([
        'HEAD /v2/acme/api/manifests/sha-eac743d',
        'HEAD /v2/acme/api/manifests/sha-eac743d',
      ]);
    });

    it('answers a Docker manifest list with its digest too', async () => {
      const registry = await start();
      const digest = registry.push('acme/api', 'v1', { schemaVersion: 2, manifests: [] }, 'application/vnd.docker.distribution.manifest.list.v2+json');
      expect(await clientOf(registry).resolve(`${registry.host}/acme/api`, 'v1')).toEqual({ digest });
    });

    it('answers undefined for a tag the registry does not have, and finds it once pushed', async () => {
      const registry = await start();
      registry.push('acme/api', 'sha-1111111');
      const digest = registry.pushAfter(2, 'acme/api', 'sha-eac743d');
      const client = clientOf(registry);
      expect(await client.resolve(`${registry.host}/acme/api`, 'sha-eac743d')).toBeUndefined();
      expect(await client.resolve(`${registry.host}/acme/api`, 'sha-eac743d')).toBeUndefined();
      expect(await client.resolve(`${registry.host}/acme/api`, 'sha-eac743d')).toEqual({ digest });
      expect(await client.resolve(`${registry.host}/acme/other`, 'sha-eac743d')).toBeUndefined();
    });

    it('takes the digest from the manifest itself when the registry leaves Docker-Content-Digest out', async () => {
      const registry = await start({ omitDigestHeader: true });
      const digest = registry.push('acme/api', 'v1');
      expect(await clientOf(registry).resolve(`${registry.host}/acme/api`, 'v1')).toEqual({ digest });
      expect(registry.requests.at(-1)).toBe('GET /v2/acme/api/manifests/v1');
    });

    it('asks a registry without authentication directly', async () => {
      const registry = await start({ auth: 'none' });
      const digest = registry.push('library/alpine', '3.22');
      expect(await new OciImageRegistry({ plainHttp: [registry.host] }).resolve(`${registry.host}/library/alpine`, '3.22')).toEqual({ digest });
      expect(registry.requests).toEqual(['HEAD /v2/library/alpine/manifests/3.22']);
    });

    it('refuses malformed names and tags without asking', async () => {
      const registry = await start();
      const client = clientOf(registry);
      expect(await rejectionOf(client.resolve(`${registry.host}/Acme/API`, 'v1'))).toBeInstanceOf(TerminalError);
      expect(await rejectionOf(client.resolve(`${registry.host}/acme/api`, '../../v2'))).toBeInstanceOf(TerminalError);
      expect(registry.requests).toEqual([]);
    });
  });

  describe('bearer tokens', () => {
    it('asks the realm for a token with service, scope and the host’s credentials, then sends it as Bearer', async () => {
      const registry = await start();
      const digest = registry.push('acme/api', 'v1');
      const hosts: string[] = [];
      const client = new OciImageRegistry({
        plainHttp: [registry.host],
        credentials: async (host) => (hosts.push(host), { username: registry.username, password: registry.password }),
      });
      expect(await client.resolve(`${registry.host}/acme/api`, 'v1')).toEqual({ digest });
      expect(hosts).toEqual([registry.host]);
      expect(registry.tokenRequests).toEqual([{ service: registry.service, scopes: ['repository:acme/api:pull'], user: registry.username }]);
    });

    it('asks for an anonymous token when there are no credentials, as for a public repository', async () => {
      const registry = await start({ publicRepositories: ['acme/public'] });
      const digest = registry.push('acme/public', 'v1');
      expect(await new OciImageRegistry({ plainHttp: [registry.host] }).resolve(`${registry.host}/acme/public`, 'v1')).toEqual({ digest });
      expect(registry.tokenRequests).toEqual([{ service: registry.service, scopes: ['repository:acme/public:pull'], user: undefined }]);
    });

    it('reads the token under access_token when the answer has only that', async () => {
      const registry = await start({ accessTokenOnly: true });
      const digest = registry.push('acme/api', 'v1');
      expect(await clientOf(registry).resolve(`${registry.host}/acme/api`, 'v1')).toEqual({ digest });
    });

    it('reuses a token for its scope until expires_in, then asks for a new one', async () => {
      const registry = await start({ tokenExpiresIn: 300 });
      registry.push('acme/api', 'v1');
      registry.push('acme/worker', 'v1');
      let now = Date.now();
      const client = clientOf(registry, { now: () => now });
      await client.resolve(`${registry.host}/acme/api`, 'v1');
      await client.resolve(`${registry.host}/acme/api`, 'v1');
      await client.resolve(`${registry.host}/acme/api`, 'v2');
      expect(registry.tokenRequests).toHaveLength(1);
      // A cached token goes out with the first request: no second 401.
      expect(registry.requests.filter((r) => r.startsWith('HEAD'))).toHaveLength(4);

      await client.resolve(`${registry.host}/acme/worker`, 'v1');
      expect(registry.tokenRequests.map((t) => t.scopes)).toEqual([['repository:acme/api:pull'], ['repository:acme/worker:pull']]);

      now += 300_000;
      await client.resolve(`${registry.host}/acme/api`, 'v1');
      expect(registry.tokenRequests).toHaveLength(3);
    });

    it('takes a token without expires_in as good for 60 seconds', async () => {
      const registry = await start({ tokenExpiresIn: undefined });
      registry.push('acme/api', 'v1');
      let now = Date.now();
      const client = clientOf(registry, { now: () => now });
      await client.resolve(`${registry.host}/acme/api`, 'v1');
      now += 30_000;
      await client.resolve(`${registry.host}/acme/api`, 'v1');
      expect(registry.tokenRequests).toHaveLength(1);
      now += 30_000;
      await client.resolve(`${registry.host}/acme/api`, 'v1');
      expect(registry.tokenRequests).toHaveLength(2);
    });

    it('shares one token request between concurrent lookups', async () => {
      const registry = await start();
      registry.push('acme/api', 'v1');
      const client = clientOf(registry);
      await Promise.all([1, 2, 3].map(() => client.resolve(`${registry.host}/acme/api`, 'v1')));
      expect(registry.tokenRequests).toHaveLength(1);
    });

    it('replaces a cached token the registry no longer takes, once', async () => {
      const registry = await start();
      const digest = registry.push('acme/api', 'v1');
      const client = clientOf(registry);
      await client.resolve(`${registry.host}/acme/api`, 'v1');
      registry.revokeTokens();
      expect(await client.resolve(`${registry.host}/acme/api`, 'v1')).toEqual({ digest });
      expect(registry.tokenRequests).toHaveLength(2);
    });

    it('takes wrong credentials as terminal, without the password in the message', async () => {
      const registry = await start();
      registry.push('acme/api', 'v1');
      const wrong = 'hunter2-wrong-password';
      const error = await rejectionOf(clientOf(registry, { credentials: credentialsOf(registry, wrong) }).resolve(`${registry.host}/acme/api`, 'v1'));
      expect(error).toBeInstanceOf(TerminalError);
      expect(error.message).toContain('401 UNAUTHORIZED');
      expect(error.message).toContain('the credentials configured');
      expect(JSON.stringify({ message: error.message, stack: error.stack, cause: error.cause })).not.toMatch(/hunter2|aHVudGVy|Basic /);
      expect(registry.tokenRequests).toHaveLength(1);
    });

    it('takes a private repository without credentials as terminal, after the anonymous token is not enough', async () => {
      const registry = await start();
      registry.push('acme/private', 'v1');
      const error = await rejectionOf(new OciImageRegistry({ plainHttp: [registry.host] }).resolve(`${registry.host}/acme/private`, 'v1'));
      expect(error).toBeInstanceOf(TerminalError);
      expect(error.message).toContain(`none are configured for ${registry.host}`);
      expect(registry.requests).toEqual(['HEAD /v2/acme/private/manifests/v1', 'HEAD /v2/acme/private/manifests/v1']);
    });
  });

  describe('basic authentication', () => {
    it('sends the credentials when the registry asks for Basic', async () => {
      const registry = await start({ auth: 'basic' });
      const digest = registry.push('acme/api', 'v1');
      const client = clientOf(registry);
      expect(await client.resolve(`${registry.host}/acme/api`, 'v1')).toEqual({ digest });
      expect(await client.resolve(`${registry.host}/acme/api`, 'v1')).toEqual({ digest });
      expect(registry.requests).toHaveLength(3);
      expect(registry.tokenRequests).toEqual([]);
    });

    it('refuses to go on without credentials, and takes wrong ones as terminal', async () => {
      const registry = await start({ auth: 'basic' });
      registry.push('acme/api', 'v1');
      expect(await rejectionOf(new OciImageRegistry({ plainHttp: [registry.host] }).resolve(`${registry.host}/acme/api`, 'v1'))).toBeInstanceOf(TerminalError);
      const error = await rejectionOf(clientOf(registry, { credentials: credentialsOf(registry, 'hunter2') }).resolve(`${registry.host}/acme/api`, 'v1'));
      expect(error).toBeInstanceOf(TerminalError);
      expect(error.message).not.toContain('hunter2');
    });
  });

  describe('failures to ask', () => {
    it('takes 503 and 429 as unavailable, to be retried', async () => {
      const registry = await start();
      registry.push('acme/api', 'v1');
      const client = clientOf(registry);
      registry.failNext(503);
      const error = await rejectionOf(client.resolve(`${registry.host}/acme/api`, 'v1'));
      expect(error).toBeInstanceOf(UnavailableError);
      expect(error.message).toContain('answered 503');
      registry.failNext(429);
      expect(await rejectionOf(client.resolve(`${registry.host}/acme/api`, 'v1'))).toBeInstanceOf(UnavailableError);
      expect(await client.resolve(`${registry.host}/acme/api`, 'v1')).toBeDefined();
    });

    it('takes a registry that cannot be reached or does not answer in time as unavailable', async () => {
      const registry = await start();
      const host = registry.host;
      await registry.close();
      started.splice(0);
      const refused = await rejectionOf(new OciImageRegistry({ plainHttp: [host] }).resolve(`${host}/acme/api`, 'v1'));
      expect(refused).toBeInstanceOf(UnavailableError);
      expect(refused.message).toContain('ECONNREFUSED');

      const silent = await listenLocal(createServer(() => {}));
      try {
        const slowHost = silent.origin.slice('http://'.length);
        const error = await rejectionOf(new OciImageRegistry({ plainHttp: [slowHost], timeoutMs: 200 }).resolve(`${slowHost}/acme/api`, 'v1'));
        expect(error).toBeInstanceOf(UnavailableError);
      } finally {
        await silent.close();
      }
    });

    it('takes a failure of the credentials source as unavailable', async () => {
      const registry = await start();
      registry.push('acme/api', 'v1');
      const client = clientOf(registry, {
        credentials: async () => {
          throw new Error('Secrets Manager: Rate exceeded');
        },
      });
      expect(await rejectionOf(client.resolve(`${registry.host}/acme/api`, 'v1'))).toBeInstanceOf(UnavailableError);
    });
  });

  describe('https only', () => {
    it('refuses plain http for a registry other than localhost or 127.0.0.1', () => {
      expect(() => new OciImageRegistry({ plainHttp: ['registry.example.com:5000'] })).toThrowError(TerminalError);
      expect(() => new OciImageRegistry({ plainHttp: ['127.0.0.1.nip.io'] })).toThrowError('OciImageRegistryOptions.plainHttp[0]');
      expect(() => new OciImageRegistry({ plainHttp: ['localhost:5000', '127.0.0.1:5000'] })).not.toThrow();
    });

    it('asks other registries over https', async () => {
      const urls: string[] = [];
      const client = new OciImageRegistry({ fetch: async (url) => (urls.push(String(url)), new Response(null, { status: 404 })) });
      await client.resolve('registry.gitlab.com/acme/api', 'v1');
      await client.resolve('127.0.0.1:5000/acme/api', 'v1');
      expect(urls).toEqual(['https://registry.gitlab.com/v2/acme/api/manifests/v1', 'https://127.0.0.1:5000/v2/acme/api/manifests/v1']);
    });

    it('sends no credentials to a token realm over plain http on another host', async () => {
      const registry = await start({ realm: 'http://auth.example.com/token' });
      registry.push('acme/api', 'v1');
      const error = await rejectionOf(clientOf(registry).resolve(`${registry.host}/acme/api`, 'v1'));
      expect(error).toBeInstanceOf(TerminalError);
      expect(error.message).toContain('https only');
      expect(registry.tokenRequests).toEqual([]);
    });
  });

  describe('Docker Hub', () => {
    it('maps docker.io and names without a registry to registry-1.docker.io, official images under library/', async () => {
      const urls: string[] = [];
      const client = new OciImageRegistry({ fetch: async (url) => (urls.push(String(url)), new Response(null, { status: 404 })) });
      for (const image of ['nginx', 'docker.io/nginx', 'index.docker.io/library/nginx', 'bitnami/redis', 'docker.io/bitnami/redis']) {
        await client.resolve(image, '1.27');
      }
      expect(urls).toEqual([
        'https://registry-1.docker.io/v2/library/nginx/manifests/1.27',
        'https://registry-1.docker.io/v2/library/nginx/manifests/1.27',
        'https://registry-1.docker.io/v2/library/nginx/manifests/1.27',
        'https://registry-1.docker.io/v2/bitnami/redis/manifests/1.27',
        'https://registry-1.docker.io/v2/bitnami/redis/manifests/1.27',
      ]);
    });

    it('tells registry hosts from Docker Hub namespaces as Docker does', () => {
      expect(parseImageName('ghcr.io/acme/api')).toEqual({ host: 'ghcr.io', name: 'acme/api' });
      expect(parseImageName('localhost:5000/api')).toEqual({ host: 'localhost:5000', name: 'api' });
      expect(parseImageName('localhost/api')).toEqual({ host: 'localhost', name: 'api' });
      expect(parseImageName('acme/api')).toEqual({ host: 'registry-1.docker.io', name: 'acme/api' });
      expect(() => parseImageName('nginx:1.27')).toThrowError(TerminalError);
    });
  });
});

describe('WWW-Authenticate', () => {
  it('reads the Bearer challenge of the token authentication spec, commas in quoted values kept', () => {
    // The example answer of the Docker token authentication spec.
    expect(
      parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"'),
    ).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } },
    ]);
  });

  it('reads several challenges, escaped quotes and token68 credentials', () => {
    expect(parseWwwAuthenticate('Basic realm="a \\"b\\"", Bearer realm="https://x/token", error="insufficient_scope"')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', error: 'insufficient_scope' } },
    ]);
    expect(parseWwwAuthenticate('Basic dXNlcjpwYXNz, Bearer realm=x')).toEqual([
      { scheme: 'basic', params: {} },
      { scheme: 'bearer', params: { realm: 'x' } },
    ]);
  });
});
