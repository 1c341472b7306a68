import { createHash, randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { listenLocal } from './listen-local';

/** A manifest as pushed: its bytes, its media type, and the digest the registry computed. */
export interface FakeManifest {
  readonly body: string;
  readonly mediaType: string;
  readonly digest: string;
}

export interface FakeOciRegistryOptions {
  /** How the registry asks for credentials. @default 'bearer' */
  readonly auth?: 'bearer' | 'basic' | 'none';
  /** Repositories anyone may pull, so anonymous tokens grant `pull` on them. @default none */
  readonly publicRepositories?: readonly string[];
  /** The realm named in the Bearer challenge. @default `<origin>/token` */
  readonly realm?: string;
  /** The token service's `expires_in`, in seconds; undefined leaves the field out. @default 300 */
  readonly tokenExpiresIn?: number | undefined;
  /** Answer the token under `access_token` only, as OAuth 2.0 names it. @default false */
  readonly accessTokenOnly?: boolean;
  /** Leave `Docker-Content-Digest` out of manifest answers, as some older registries do. @default false */
  readonly omitDigestHeader?: boolean;
}

export interface FakeOciRegistry {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `127.0.0.1:<port>`, the registry host of image names. */
  readonly host: string;
  readonly service: string;
  readonly username: string;
  readonly password: string;
  /** Every registry request as `METHOD /path`, before any check. */
  readonly requests: string[];
  /** Every token request: its query and the user of its basic auth (undefined when anonymous). */
  readonly tokenRequests: Array<{ service: string | null; scopes: string[]; user: string | undefined }>;
  /** The `Accept` headers of manifest requests, in order. */
  readonly accepts: Array<string | undefined>;
  /** Pushes a manifest under `name:tag` now and gives its digest. */
  push(name: string, tag: string, manifest?: object, mediaType?: string): string;
  /** A tag that appears after a while: `name:tag` is unknown for the next `misses` manifest requests for it, then pushed. */
  pushAfter(misses: number, name: string, tag: string, manifest?: object, mediaType?: string): string;
  /** Makes every token issued so far invalid, as a registry does when they are revoked or its signing key rotates. */
  revokeTokens(): void;
  /** Answers the next `times` registry requests with `status` and an error body, as a registry in an outage or over its rate limit. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** A minimal OCI image manifest; its layers do not matter to a tag lookup. */
const sampleManifest = (seed: string): object => ({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha256(seed)}`, size: 2 },
  layers: [],
});
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * A local OCI distribution registry with its token service, following the
 * OCI distribution spec and the Docker token authentication spec:
 *
 * - `GET /v2/` answers 200 `{}` when authorized, else 401 with the
 *   challenge; every answer has `Docker-Distribution-API-Version: registry/2.0`.
 * - `HEAD`/`GET /v2/<name>/manifests/<tag|digest>`: 200 with `Content-Type`
 *   (the pushed media type), `Content-Length` and `Docker-Content-Digest`
 *   (sha256 of the exact bytes), the manifest as body for GET and no body
 *   for HEAD; 404 with `{"errors":[{"code":"MANIFEST_UNKNOWN",…}]}` for an
 *   unknown tag, `NAME_UNKNOWN` for an unknown repository. As distribution
 *   does for an index, a manifest whose media type the `Accept` header does
 *   not list is answered as unknown.
 * - Without authorization: 401 `UNAUTHORIZED` with `WWW-Authenticate: Bearer
 *   realm="…",service="…",scope="repository:<name>:pull"` (or `Basic
 *   realm="…"` in basic mode).
 * - `GET /token?service=…&scope=…`: 401 when basic credentials are sent and
 *   wrong; otherwise a token granting the intersection of the requested
 *   `pull` and what the client may do (every repository for the user, the
 *   public ones for anyone) — no access is not an error, as the spec says;
 *   answered as `{"token","access_token","expires_in","issued_at"}`.
 *   A token is good for the repositories it grants until it expires.
 */
export async function startFakeOciRegistry(options: FakeOciRegistryOptions = {}): Promise<FakeOciRegistry> {
  const auth = options.auth ?? 'bearer';
  const service = 'fake-registry.test';
  const username = 'ci-bot';
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const expiresIn = 'tokenExpiresIn' in options ? options.tokenExpiresIn : 300;
  const publicRepositories = new Set(options.publicRepositories ?? []);
  const manifests = new Map<string, Map<string, FakeManifest>>();
  const scheduled = new Map<string, { misses: number; manifest: FakeManifest }>();
  const tokens = new Map<string, { repositories: Set<string>; expiresAt: number }>();
  const requests: string[] = [];
  const tokenRequests: FakeOciRegistry['tokenRequests'] = [];
  const accepts: Array<string | undefined> = [];
  const failures: number[] = [];
  let realm = options.realm ?? '';

  const store = (name: string, tag: string, manifest: object | undefined, mediaType: string | undefined): FakeManifest => {
    const body = JSON.stringify(manifest ?? sampleManifest(`${name}:${tag}`));
    return { body, mediaType: mediaType ?? OCI_MANIFEST, digest: `sha256:${sha256(body)}` };
  };
  const put = (name: string, tag: string, manifest: FakeManifest) => {
    const tags = manifests.get(name) ?? new Map<string, FakeManifest>();
    tags.set(tag, manifest);
    manifests.set(name, tags);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0', ...headers });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (url.pathname === '/token') return answerToken(url, req.headers.authorization, res);
    requests.push(`${req.method} ${url.pathname}`);
    const failure = failures.shift();
    if (failure !== undefined) {
      const code = failure === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
      return send(failure, { errors: [{ code, message: 'service unavailable' }] });
    }
    const manifestPath = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    const name = manifestPath?.[1];
    if (url.pathname !== '/v2/' && (manifestPath === null || name === undefined)) return send(404, { errors: [{ code: 'UNSUPPORTED', message: 'not here' }] });
    if (!authorized(req.headers.authorization, name)) {
      const challenge =
        auth === 'basic'
          ? `Basic realm="${service}"`
          : `Bearer realm="${realm}",service="${service}"${name === undefined ? '' : `,scope="repository:${name}:pull"`}`;
      const detail = name === undefined ? undefined : [{ Type: 'repository', Name: name, Action: 'pull' }];
      return send(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail }] }, { 'www-authenticate': challenge });
    }
    if (name === undefined) return send(200, {});
    if (req.method !== 'HEAD' && req.method !== 'GET') return send(405, { errors: [{ code: 'UNSUPPORTED', message: 'the operation is unsupported' }] });
    const reference = manifestPath?.[2] ?? '';
    accepts.push(req.headers.accept);
    const coming = scheduled.get(`${name}:${reference}`);
    if (coming !== undefined && coming.misses-- <= 0) {
      scheduled.delete(`${name}:${reference}`);
      put(name, reference, coming.manifest);
    }
    const tags = manifests.get(name);
    if (tags === undefined) return send(404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name } }] });
    const manifest = reference.startsWith('sha256:') ? [...tags.values()].find((m) => m.digest === reference) : tags.get(reference);
    const accepted = (req.headers.accept ?? '').split(',').map((type) => type.split(';')[0]?.trim());
    if (manifest === undefined || (req.headers.accept !== undefined && !accepted.includes(manifest.mediaType))) {
      return send(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: reference } }] });
    }
    res.writeHead(200, {
      'content-type': manifest.mediaType,
      'content-length': String(Buffer.byteLength(manifest.body)),
      'docker-distribution-api-version': 'registry/2.0',
      ...(options.omitDigestHeader === true ? {} : { 'docker-content-digest': manifest.digest }),
    });
    res.end(req.method === 'HEAD' ? undefined : manifest.body);
  });

  /** Whether the request's Authorization lets it read `name` (or reach `/v2/` when undefined). */
  function authorized(header: string | undefined, name: string | undefined): boolean {
    if (auth === 'none') return true;
    if (auth === 'basic') return header === `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const grant = header?.startsWith('Bearer ') === true ? tokens.get(header.slice('Bearer '.length)) : undefined;
    if (grant === undefined || grant.expiresAt <= Date.now()) return false;
    return name === undefined || grant.repositories.has(name);
  }

  function answerToken(url: URL, header: string | undefined, res: ServerResponse) {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let user: string | undefined;
    if (header !== undefined) {
      const [scheme, encoded = ''] = header.split(' ');
      const [given, ...rest] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
      if (scheme !== 'Basic' || given !== username || rest.join(':') !== password) {
        tokenRequests.push({ service: url.searchParams.get('service'), scopes: url.searchParams.getAll('scope'), user: given });
        return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
      }
      user = given;
    }
    const scopes = url.searchParams.getAll('scope');
    tokenRequests.push({ service: url.searchParams.get('service'), scopes, user });
    if (url.searchParams.get('service') !== service) return reply(400, { errors: [{ code: 'DENIED', message: 'invalid service' }] });
    const repositories = new Set<string>();
    for (const scope of scopes) {
      const [type, name = '', actions = ''] = scope.split(':');
      if (type === 'repository' && actions.split(',').includes('pull') && (user !== undefined || publicRepositories.has(name))) repositories.add(name);
    }
    const token = randomBytes(16).toString('hex');
    tokens.set(token, { repositories, expiresAt: Date.now() + (expiresIn ?? 60) * 1000 });
    const lifetime = expiresIn === undefined ? {} : { expires_in: expiresIn };
    const body = options.accessTokenOnly === true ? { access_token: token } : { token, access_token: token };
    return reply(200, { ...body, ...lifetime, issued_at: new Date().toISOString() });
  }

  const { origin, close } = await listenLocal(server);
  if (realm === '') realm = `${origin}/token`;
  return {
    origin,
    host: origin.slice('http://'.length),
    service,
    username,
    password,
    requests,
    tokenRequests,
    accepts,
    push(name, tag, manifest, mediaType) {
      const stored = store(name, tag, manifest, mediaType);
      put(name, tag, stored);
      return stored.digest;
    },
    pushAfter(misses, name, tag, manifest, mediaType) {
      const stored = store(name, tag, manifest, mediaType);
      scheduled.set(`${name}:${tag}`, { misses, manifest: stored });
      return stored.digest;
    },
    revokeTokens() {
      tokens.clear();
    },
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    close,
  };
}
