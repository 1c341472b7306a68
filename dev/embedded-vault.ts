import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A small stand-in for a Vault dev server: one KV v2 mount, `secret`, kept in
 * memory, on 127.0.0.1 only. It speaks the parts of Vault's documented HTTP
 * API that Hoist uses, with Vault's answers:
 *
 * - `GET /v1/secret/data/{path}[?version=N]`: 200 `{"data":{"data":…,"metadata":…}}`;
 *   404 `{"errors":[]}` when nothing was written; 404 with `data: null` and the
 *   metadata when that version is deleted or destroyed.
 * - `POST|PUT /v1/secret/data/{path}` `{"options":{"cas":N},"data":{…}}`: 200 with
 *   the new version's metadata; `cas` 0 writes only when the path has no
 *   version; a mismatch is 400 "check-and-set parameter did not match the current version".
 * - `DELETE /v1/secret/data/{path}`: soft-deletes the latest version, 204.
 * - `POST /v1/secret/delete/{path}` with `{"versions": [n]}`: soft-deletes those versions, 204.
 * - `GET /v1/secret/metadata/{path}`: `current_version` and every version's times.
 * - A missing or unknown X-Vault-Token is 403 `{"errors":["permission denied"]}`;
 *   an unknown mount 404 "no handler for route".
 * - With `namespace`, requests must name it in X-Vault-Namespace; in any other
 *   namespace the mount does not exist (404), as in Vault Enterprise.
 * - With `awsIam`, `POST /v1/auth/{mount}/login` of the AWS auth method (IAM).
 *   It checks the login's shape (fields present and base64, the
 *   GetCallerIdentity URL and body, a SigV4 Authorization header that signs
 *   host, x-amz-date and the server id header) but cannot check the signature
 *   itself: only STS can, with the signer's secret key.
 */

/** The KV v2 mount the embedded Vault serves. */
export const EMBEDDED_VAULT_MOUNT = 'secret';

export interface EmbeddedVaultOptions {
  /** The root token. @default a random `hvs.` token */
  readonly token?: string;
  /** @default a free port */
  readonly port?: number;
  /** Only this namespace has the mount. @default none (the root namespace) */
  readonly namespace?: string;
  /** Enables the AWS auth method (IAM type) at `auth/{mount}`. */
  readonly awsIam?: {
    readonly role: string;
    /** The value a login must send, signed, as X-Vault-AWS-IAM-Server-ID. */
    readonly serverId?: string;
    /** @default aws */
    readonly mount?: string;
    /** Seconds a login token lives. @default 2764800 (Vault's 768 h) */
    readonly leaseDuration?: number;
  };
}

/** One version of a KV v2 secret. */
export interface EmbeddedVaultVersion {
  readonly version: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdTime: string;
  /** '' unless soft-deleted. */
  readonly deletionTime: string;
  readonly destroyed: boolean;
}

/** A login as the embedded Vault decoded it. */
export interface EmbeddedVaultLogin {
  readonly role: string;
  readonly method: string;
  readonly url: string;
  readonly body: string;
  /** Header names lower-cased (HTTP compares them so); values joined when sent as a list. */
  readonly headers: Readonly<Record<string, string>>;
  readonly clientToken: string;
}

/** A request as the embedded Vault received it (no token, no body). */
export interface EmbeddedVaultRequest {
  readonly method: string;
  readonly path: string;
  readonly namespace: string | undefined;
}

export interface EmbeddedVault {
  /** http://127.0.0.1:{port} */
  readonly url: string;
  /** The root token: it may do anything. */
  readonly token: string;
  /** Requests in arrival order. */
  readonly requests: readonly EmbeddedVaultRequest[];
  /** Successful AWS IAM logins in arrival order. */
  readonly logins: readonly EmbeddedVaultLogin[];
  /** The latest version at `path`, deleted or not; undefined when none was written. */
  read(mount: string, path: string): EmbeddedVaultVersion | undefined;
  /** Writes a new version without check-and-set, as a person would with `vault kv put`; returns its number. */
  write(mount: string, path: string, data: Readonly<Record<string, unknown>>): number;
  /** Ends a token issued by a login (the root token stays). */
  revoke(token: string): void;
  stop(): Promise<void>;
}

interface StoredSecret {
  currentVersion: number;
  createdTime: string;
  updatedTime: string;
  readonly versions: Map<number, { data: Record<string, unknown>; createdTime: string; deletionTime: string; destroyed: boolean }>;
}

/** Vault's exact text for a check-and-set mismatch. */
const CAS_MISMATCH = 'check-and-set parameter did not match the current version';
const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
const STS_URL = /^https:\/\/sts(?:\.([a-z]{2}(?:-[a-z]+)+-\d))?\.amazonaws\.com\/$/;
const SIGV4_AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/sts\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;
const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_LEASE_SECONDS = 2_764_800;

const newToken = (): string => `hvs.${randomBytes(18).toString('base64url')}`;

/** Starts the embedded Vault; `stop()` closes it and its connections. */
export async function startEmbeddedVault(options: EmbeddedVaultOptions = {}): Promise<EmbeddedVault> {
  const rootToken = options.token ?? newToken();
  const issued = new Set<string>();
  const store = new Map<string, StoredSecret>();
  const requests: EmbeddedVaultRequest[] = [];
  const logins: EmbeddedVaultLogin[] = [];
  const loginMount = options.awsIam?.mount ?? 'aws';

  const writeVersion = (path: string, data: Record<string, unknown>): number => {
    const time = new Date().toISOString();
    const secret = store.get(path) ?? { currentVersion: 0, createdTime: time, updatedTime: time, versions: new Map() };
    secret.currentVersion += 1;
    secret.updatedTime = time;
    secret.versions.set(secret.currentVersion, { data: structuredClone(data), createdTime: time, deletionTime: '', destroyed: false });
    store.set(path, secret);
    return secret.currentVersion;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const namespace = headerOf(req, 'x-vault-namespace')?.replace(/^\/+|\/+$/g, '');
    requests.push({ method, path: url.pathname, namespace });
    const send = (status: number, body?: unknown) => {
      if (body === undefined) {
        res.writeHead(status);
        res.end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    const envelope = (fields: Record<string, unknown>) => ({
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      wrap_info: null,
      warnings: null,
      auth: null,
      mount_type: 'kv',
      ...fields,
    });
    const apiPath = url.pathname.startsWith('/v1/') ? url.pathname.slice('/v1/'.length) : undefined;
    if (apiPath === undefined) return send(404, { errors: [] });
    const noRoute = () => send(404, { errors: [`no handler for route "${apiPath}". route entry not found.`] });
    // A namespaced Vault has its mounts only in that namespace.
    if ((options.namespace ?? '') !== (namespace ?? '')) return noRoute();

    let body: unknown;
    if (method === 'POST' || method === 'PUT') {
      const text = await readBody(req);
      if (text === undefined) return send(413, { errors: ['request body too large'] });
      try {
        body = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return send(400, { errors: ['failed to parse JSON input: invalid JSON'] });
      }
    }

    if (options.awsIam !== undefined && apiPath === `auth/${loginMount}/login`) {
      if (method !== 'POST' && method !== 'PUT') return send(405, { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] });
      const checked = checkIamLogin(body, options.awsIam);
      if (typeof checked === 'string') return send(400, { errors: [checked] });
      const clientToken = newToken();
      issued.add(clientToken);
      logins.push({ ...checked, clientToken });
      const leaseDuration = options.awsIam.leaseDuration ?? DEFAULT_LEASE_SECONDS;
      return send(
        200,
        envelope({
          mount_type: '',
          auth: {
            client_token: clientToken,
            accessor: randomBytes(12).toString('base64url'),
            policies: ['default', checked.role],
            token_policies: ['default', checked.role],
            metadata: { auth_type: 'iam', role: checked.role },
            lease_duration: leaseDuration,
            renewable: true,
            entity_id: randomUUID(),
            token_type: 'service',
            orphan: true,
          },
        }),
      );
    }

    const token = headerOf(req, 'x-vault-token');
    if (token === undefined || (token !== rootToken && !issued.has(token))) return send(403, { errors: ['permission denied'] });

    const kv = new RegExp(`^${EMBEDDED_VAULT_MOUNT}/(data|metadata|delete)/(.+)$`).exec(apiPath);
    if (kv === null) return noRoute();
    const kind = kv[1];
    const path = (kv[2] ?? '').split('/').map(decodeURIComponent).join('/');
    const secret = store.get(path);

    if (kind === 'delete') {
      // Soft-deletes the named versions: POST /{mount}/delete/{path} with {"versions": [n, …]}, 204.
      if (method !== 'POST' && method !== 'PUT') return send(405, { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] });
      const versions = (body as { versions?: unknown } | undefined)?.versions;
      if (!Array.isArray(versions) || versions.length === 0 || !versions.every((n) => Number.isInteger(n))) {
        return send(400, { errors: ['no version number provided'] });
      }
      for (const n of versions as number[]) {
        const version = secret?.versions.get(n);
        if (version !== undefined && version.deletionTime === '' && !version.destroyed) version.deletionTime = new Date().toISOString();
      }
      return send(204);
    }

    if (kind === 'metadata') {
      if (method !== 'GET') return send(405, { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] });
      if (secret === undefined) return send(404, { errors: [] });
      const versions = Object.fromEntries(
        [...secret.versions].map(([n, v]) => [String(n), { created_time: v.createdTime, deletion_time: v.deletionTime, destroyed: v.destroyed }]),
      );
      return send(
        200,
        envelope({
          data: {
            cas_required: false,
            created_time: secret.createdTime,
            current_version: secret.currentVersion,
            custom_metadata: null,
            delete_version_after: '0s',
            max_versions: 0,
            oldest_version: 0,
            updated_time: secret.updatedTime,
            versions,
          },
        }),
      );
    }

    if (method === 'GET') {
      const asked = url.searchParams.get('version');
      const number = asked === null || asked === '0' ? secret?.currentVersion : Number(asked);
      const version = number === undefined ? undefined : secret?.versions.get(number);
      if (number === undefined || version === undefined) return send(404, { errors: [] });
      const metadata = {
        created_time: version.createdTime,
        custom_metadata: null,
        deletion_time: version.deletionTime,
        destroyed: version.destroyed,
        version: number,
      };
      // A deleted or destroyed version: 404, the metadata still there, the data null.
      if (version.deletionTime !== '' || version.destroyed) return send(404, envelope({ data: { data: null, metadata } }));
      return send(200, envelope({ data: { data: version.data, metadata } }));
    }

    if (method === 'POST' || method === 'PUT') {
      const write = asWriteRequest(body);
      if (typeof write === 'string') return send(400, { errors: [write] });
      if (write.cas !== undefined && write.cas !== (secret?.currentVersion ?? 0)) return send(400, { errors: [CAS_MISMATCH] });
      const version = writeVersion(path, write.data);
      const created = store.get(path)?.versions.get(version);
      return send(200, envelope({ data: { created_time: created?.createdTime, custom_metadata: null, deletion_time: '', destroyed: false, version } }));
    }

    if (method === 'DELETE') {
      const latest = secret?.versions.get(secret.currentVersion);
      if (latest !== undefined && latest.deletionTime === '') latest.deletionTime = new Date().toISOString();
      return send(204);
    }
    return send(405, { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: ['internal error'] }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const versionOf = (mount: string, path: string): EmbeddedVaultVersion | undefined => {
    if (mount !== EMBEDDED_VAULT_MOUNT) return undefined;
    const secret = store.get(path);
    const latest = secret?.versions.get(secret.currentVersion);
    if (secret === undefined || latest === undefined) return undefined;
    return {
      version: secret.currentVersion,
      data: structuredClone(latest.data),
      createdTime: latest.createdTime,
      deletionTime: latest.deletionTime,
      destroyed: latest.destroyed,
    };
  };

  return {
    url,
    token: rootToken,
    requests,
    logins,
    read: versionOf,
    write: (mount, path, data) => {
      if (mount !== EMBEDDED_VAULT_MOUNT) throw new Error(`the embedded Vault has only the '${EMBEDDED_VAULT_MOUNT}' mount, not '${mount}'`);
      return writeVersion(path, { ...data });
    },
    revoke: (token) => {
      issued.delete(token);
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body of a KV v2 write, or Vault's error text for it. */
function asWriteRequest(body: unknown): { data: Record<string, unknown>; cas: number | undefined } | string {
  if (!isRecord(body) || !isRecord(body.data)) return 'no data provided';
  const options = body.options;
  if (options !== undefined && options !== null && !isRecord(options)) return 'invalid options';
  const cas = isRecord(options) ? options.cas : undefined;
  if (cas !== undefined && (typeof cas !== 'number' || !Number.isInteger(cas) || cas < 0)) return 'invalid cas parameter';
  return { data: body.data, cas };
}

/** Decodes a login of the AWS auth method (IAM type) and checks what can be checked without STS; a string is the refusal. */
function checkIamLogin(body: unknown, config: NonNullable<EmbeddedVaultOptions['awsIam']>): Omit<EmbeddedVaultLogin, 'clientToken'> | string {
  if (!isRecord(body)) return 'missing request body';
  const role = body.role;
  if (typeof role !== 'string' || role === '') return 'missing role';
  if (role !== config.role) return `entry for role ${role} not found`;
  const method = body.iam_http_request_method;
  if (method !== 'POST') return 'iam_http_request_method must be POST';
  const url = decodeBase64Field(body.iam_request_url);
  const requestBody = decodeBase64Field(body.iam_request_body);
  const headerText = decodeBase64Field(body.iam_request_headers);
  if (url === undefined) return 'missing or invalid base64 iam_request_url';
  if (requestBody === undefined) return 'missing or invalid base64 iam_request_body';
  if (headerText === undefined) return 'missing or invalid base64 iam_request_headers';
  const sts = STS_URL.exec(url);
  if (sts === null) return 'iam_request_url is not an STS endpoint';
  if (requestBody !== GET_CALLER_IDENTITY_BODY) return 'iam_request_body is not a GetCallerIdentity request';

  let parsed: unknown;
  try {
    parsed = JSON.parse(headerText);
  } catch {
    return 'iam_request_headers is not JSON';
  }
  if (!isRecord(parsed)) return 'iam_request_headers is not a JSON object';
  // Vault takes each header value as a string or a list of strings (Go's http.Header).
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') headers.set(name.toLowerCase(), value);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) headers.set(name.toLowerCase(), value.join(','));
    else return `header ${name} is neither a string nor a list of strings`;
  }
  const header = (name: string): string | undefined => headers.get(name);

  const authorization = SIGV4_AUTHORIZATION.exec(header('authorization') ?? '');
  if (authorization === null) return 'missing or malformed Authorization header';
  const [, , date, region, signedText] = authorization;
  const signed = (signedText ?? '').split(';');
  for (const required of ['host', 'x-amz-date']) if (!signed.includes(required)) return `${required} is not a signed header`;
  const amzDate = header('x-amz-date');
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return 'missing or malformed X-Amz-Date header';
  if (header('host') !== new URL(url).host) return 'the Host header does not name the STS endpoint';
  if (region !== (sts[1] ?? 'us-east-1')) return `credential scope region ${region} does not match the STS endpoint`;
  if (config.serverId !== undefined) {
    const serverId = header('x-vault-aws-iam-server-id');
    if (serverId === undefined) return 'missing header "X-Vault-AWS-IAM-Server-ID"';
    if (serverId !== config.serverId) return `expected "${config.serverId}" but got "${serverId}"`;
    if (!signed.includes('x-vault-aws-iam-server-id')) return "vault header wasn't signed";
  }
  return { role, method, url, body: requestBody, headers: Object.fromEntries(headers) };
}

function decodeBase64Field(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  return Buffer.from(value, 'base64').toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
