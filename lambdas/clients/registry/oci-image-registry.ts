import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { ImageRegistry, ImageTagInfo } from '../../core/ports';
import { type HoistError, TerminalError, UnavailableError } from '../../shared/errors';
import { redactUrl, redactUrls } from '../../shared/redact-url';
import { type OciImageName, parseImageName } from './parse-image-name';
import { type AuthChallenge, parseWwwAuthenticate } from './parse-www-authenticate';

/** A registry user and its password or access token. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface OciImageRegistryOptions {
  /**
   * The credentials for a registry host as Hoist talks to it (`ghcr.io`,
   * `registry.gitlab.com`, `registry-1.docker.io` for Docker Hub,
   * `127.0.0.1:5000`), or undefined to ask anonymously. Called when a
   * registry asks for credentials; cache in the source.
   * @default anonymous everywhere
   */
  readonly credentials?: (registryHost: string) => Promise<RegistryCredentials | undefined>;
  /** Registries (`host:port`) reached over plain http; only `localhost` and `127.0.0.1` are accepted. @default none */
  readonly plainHttp?: readonly string[];
  /** How long one HTTP request may take. @default 10_000 */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Milliseconds since the epoch, for token expiry. @default Date.now */
  readonly now?: () => number;
}

const defaultOptions = { timeoutMs: 10_000, plainHttp: [] as readonly string[], now: Date.now };

/**
 * The manifest media types Hoist accepts, multi-platform indexes first: a
 * registry answers a tag with the digest of what it would serve for this
 * `Accept`, and without the index types it may answer with one platform's
 * manifest (or convert it), whose digest is not the tag's.
 */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

/** A tag, as the distribution spec allows it. */
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** A digest, as the OCI image spec writes it (`algorithm:encoded`). */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1']);
/** The token spec's lifetime of a token whose answer has no `expires_in`. */
const DEFAULT_TOKEN_SECONDS = 60;
/** A cached token is dropped this long before it expires, so no request carries one that expires in flight. */
const TOKEN_EXPIRY_MARGIN_MS = 10_000;

/** The token service's answer, as the Docker token authentication spec documents it. */
const TokenAnswerSchema = z.object({
  token: z.string().min(1).optional(),
  access_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
  issued_at: z.string().optional(),
});

/** The registry's error answer (`{"errors":[{"code":"…","message":"…"}]}`); only codes are quoted. */
const ErrorAnswerSchema = z.object({ errors: z.array(z.object({ code: z.string() })) });

interface Target extends OciImageName {
  /** `https://host` (or `http://` for an allowed loopback registry). */
  readonly origin: string;
}

/** The `Authorization` header for one request, and whether it carries configured credentials. */
interface Authorization {
  readonly header: string | undefined;
  readonly withCredentials: boolean;
}

const ANONYMOUS: Authorization = { header: undefined, withCredentials: false };

interface CachedToken {
  readonly authorization: Authorization;
  /** Milliseconds since the epoch, less the margin. */
  readonly expiresAt: number;
}

/**
 * Whether a tag exists in an OCI distribution registry (GHCR, GitLab's and
 * Gitea's registries, Docker Hub, `registry:2`): `HEAD /v2/<name>/manifests/<tag>`
 * with the manifest and index media types in `Accept`; 200 gives the digest
 * from `Docker-Content-Digest` (or, when a registry leaves it out, the
 * sha256 of the manifest from a GET), 404 gives undefined.
 *
 * A 401 is answered as its `WWW-Authenticate` challenge asks. `Bearer`
 * (the Docker token authentication spec): `GET <realm>?service=…&scope=…`
 * with basic auth when there are credentials for the registry host and
 * anonymously otherwise, then the request again with `Authorization: Bearer
 * <token>` (`token`, or `access_token`); tokens are cached per registry,
 * realm, service and scope until `expires_in` (60 s when absent), and each
 * repository's challenge is remembered so later requests send a cached
 * token at once. `Basic`: the credentials themselves.
 *
 * A refusal after that (401, 403, or the token service refusing the
 * credentials) is a TerminalError: the credentials are a configuration
 * matter. Network failures, timeouts, 429 and 5xx are UnavailableError.
 * Messages name registries by host only and never carry credentials or
 * tokens. The OCI API has no push time: `pushedAt` is left out.
 */
export class OciImageRegistry implements ImageRegistry {
  private readonly options: Required<Omit<OciImageRegistryOptions, 'credentials'>> & Pick<OciImageRegistryOptions, 'credentials'>;
  private readonly plainHttp: ReadonlySet<string>;
  /** The last challenge of each `origin/name`. */
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly tokens = new Map<string, CachedToken>();
  /** Token requests under way, so concurrent lookups of one repository share one. */
  private readonly pendingTokens = new Map<string, Promise<Authorization>>();

  constructor(options: OciImageRegistryOptions = {}) {
    // Fields given as undefined keep their defaults.
    const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as OciImageRegistryOptions;
    this.options = { ...defaultOptions, fetch: globalThis.fetch, ...given };
    this.options.plainHttp.forEach((host, index) => {
      if (!isLoopback(`http://${host}`)) {
        throw new TerminalError(
          `OciImageRegistryOptions.plainHttp[${index}]: ${host} is not localhost or 127.0.0.1; other registries are reached over https only`,
        );
      }
    });
    this.plainHttp = new Set(this.options.plainHttp.map((host) => host.toLowerCase()));
  }

  async resolve(image: string, tag: string): Promise<ImageTagInfo | undefined> {
    const parsed = parseImageName(image);
    if (!TAG.test(tag)) throw new TerminalError(`${image}: ${JSON.stringify(tag.slice(0, 130))} is not a valid tag`);
    const target: Target = { ...parsed, origin: `${this.plainHttp.has(parsed.host) ? 'http' : 'https'}://${parsed.host}` };
    const url = `${target.origin}/v2/${target.name}/manifests/${tag}`;
    const what = `${target.host}/${target.name}:${tag}`;

    const known = this.challenges.get(`${target.origin}/${target.name}`);
    let authorization = known === undefined ? ANONYMOUS : await this.authorize(target, known);
    let response = await this.request(url, 'HEAD', authorization, what);
    if (response.status === 401) {
      const challenge = pickChallenge(response.headers.get('www-authenticate'));
      if (challenge === undefined) throw new TerminalError(`${what}: ${target.host} answered 401 without a Bearer or Basic challenge Hoist can answer`);
      this.challenges.set(`${target.origin}/${target.name}`, challenge);
      authorization = await this.authorize(target, challenge, authorization);
      response = await this.request(url, 'HEAD', authorization, what);
    }
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw await failure(response, what, target.host, authorization);
    const digest = response.headers.get('docker-content-digest')?.trim();
    if (digest !== undefined && DIGEST.test(digest)) return { digest };

    // Older registries leave the header out; the digest is then the sha256 of the manifest as served.
    const manifest = await this.request(url, 'GET', authorization, what);
    if (manifest.status === 404) {
      await manifest.body?.cancel();
      return undefined;
    }
    if (manifest.status !== 200) throw await failure(manifest, what, target.host, authorization);
    const body = Buffer.from(await manifest.arrayBuffer());
    return { digest: `sha256:${createHash('sha256').update(body).digest('hex')}` };
  }

  /**
   * The Authorization a challenge asks for: a cached token while it lasts,
   * unless it is the one the registry just `refused` (revoked before its
   * time); a token request under way for the same scope is shared.
   */
  private async authorize(target: Target, challenge: AuthChallenge, refused?: Authorization): Promise<Authorization> {
    if (challenge.scheme === 'basic') {
      const credentials = await this.credentialsFor(target.host);
      if (credentials === undefined) throw new TerminalError(`${target.host} asks for basic credentials and none are configured for it`);
      return { header: basicAuth(credentials), withCredentials: true };
    }
    const { realm = '', service } = challenge.params;
    const scopes = (challenge.params.scope ?? `repository:${target.name}:pull`).split(' ').filter((scope) => scope !== '');
    const key = JSON.stringify([target.host, realm, service ?? null, scopes]);
    const cached = this.tokens.get(key);
    if (cached !== undefined && cached.authorization.header !== refused?.header && cached.expiresAt > this.options.now()) return cached.authorization;
    let pending = this.pendingTokens.get(key);
    if (pending === undefined) {
      pending = this.requestToken(target, realm, service, scopes)
        .then((token) => {
          this.tokens.set(key, token);
          return token.authorization;
        })
        .finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    return pending;
  }

  private async requestToken(target: Target, realm: string, service: string | undefined, scopes: readonly string[]): Promise<CachedToken> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new TerminalError(`${target.host} named a token realm that is not a URL`);
    }
    // Credentials go to the realm: never over plain http to anything but loopback.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.href))) {
      throw new TerminalError(`${target.host} named the token realm ${redactUrl(url.href)}; Hoist asks for tokens over https only`);
    }
    if (service !== undefined) url.searchParams.set('service', service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const what = `token for ${scopes.join(' ')} from ${redactUrl(url.href)}`;
    const credentials = await this.credentialsFor(target.host);
    const authorization: Authorization = credentials === undefined ? ANONYMOUS : { header: basicAuth(credentials), withCredentials: true };
    const response = await this.request(url.href, 'GET', authorization, what, 'application/json');
    if (response.status !== 200) throw await failure(response, what, target.host, authorization);
    const receivedAt = this.options.now();
    let answer: z.infer<typeof TokenAnswerSchema>;
    try {
      answer = TokenAnswerSchema.parse(await response.json());
    } catch {
      throw new UnavailableError(`${what}: the answer is not the token service's JSON`);
    }
    const token = answer.token ?? answer.access_token;
    if (token === undefined) throw new UnavailableError(`${what}: the answer has neither token nor access_token`);
    // The lifetime counts from issued_at when the answer has it, but never from later than now (clocks differ).
    const issuedAt = answer.issued_at === undefined ? Number.NaN : Date.parse(answer.issued_at);
    const from = Number.isNaN(issuedAt) ? receivedAt : Math.min(issuedAt, receivedAt);
    return {
      authorization: { header: `Bearer ${token}`, withCredentials: authorization.withCredentials },
      expiresAt: from + (answer.expires_in ?? DEFAULT_TOKEN_SECONDS) * 1000 - TOKEN_EXPIRY_MARGIN_MS,
    };
  }

  private async credentialsFor(host: string): Promise<RegistryCredentials | undefined> {
    if (this.options.credentials === undefined) return undefined;
    try {
      return await this.options.credentials(host);
    } catch (error) {
      throw new UnavailableError(`the credentials for ${host} could not be read`, { cause: error });
    }
  }

  private async request(
    url: string,
    method: 'HEAD' | 'GET',
    authorization: Authorization,
    what: string,
    accept = MANIFEST_MEDIA_TYPES.join(', '),
  ): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (authorization.header !== undefined) headers.authorization = authorization.header;
    try {
      return await this.options.fetch(url, { method, headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      // The fetch error is not kept as the cause: it may quote the whole URL.
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      const reason = `${error instanceof Error ? error.message : String(error)}${typeof code === 'string' ? ` (${code})` : ''}`;
      throw new UnavailableError(`${what}: ${redactUrl(url)} could not be reached: ${redactUrls(reason)}`);
    }
  }
}

/** The challenge to answer: Bearer when offered with a realm, else Basic. */
function pickChallenge(header: string | null): AuthChallenge | undefined {
  const challenges = parseWwwAuthenticate(header ?? '');
  return challenges.find((c) => c.scheme === 'bearer' && c.params.realm !== undefined) ?? challenges.find((c) => c.scheme === 'basic');
}

function basicAuth({ username, password }: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function isLoopback(url: string): boolean {
  try {
    return LOOPBACK_HOSTNAMES.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** The error for a status that is neither found nor not-found; the body contributes its error codes only. */
async function failure(response: Response, what: string, host: string, authorization: Authorization): Promise<HoistError> {
  let codes = '';
  try {
    const answer = ErrorAnswerSchema.safeParse(JSON.parse(await response.text()));
    if (answer.success && answer.data.errors.length > 0) codes = ` ${answer.data.errors.map((e) => e.code.slice(0, 40)).join(', ')}`;
  } catch {
    // no JSON error body (HEAD answers have none)
  }
  const status = `${response.status}${codes}`;
  if (response.status === 401 || response.status === 403) {
    const who = authorization.withCredentials ? 'the credentials configured for it' : `no credentials (none are configured for ${host})`;
    return new TerminalError(`${what}: refused (${status}) with ${who}`);
  }
  if (response.status === 408 || response.status === 429 || response.status >= 500) return new UnavailableError(`${what}: answered ${status}`);
  return new TerminalError(`${what}: answered ${status}`);
}
