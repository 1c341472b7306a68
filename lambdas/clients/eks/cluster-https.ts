import { request as httpsRequest } from 'node:https';

/** One request to a cluster's API server: what `fetch` would take, plus the CA that alone is trusted. */
export interface ClusterRequest {
  readonly method: 'GET' | 'PATCH';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** PEM certificates of the cluster's own CA; the system store is not consulted. */
  readonly ca: string;
}

/** The answer, read whole. */
export interface ClusterAnswer {
  readonly status: number;
  readonly text: string;
}

/** The seam between the EKS Argo CD client and the network (tests point it at a local HTTPS server). */
export type ClusterFetch = (url: string, request: ClusterRequest) => Promise<ClusterAnswer>;

/** Thrown when the connection fails before an answer; `code` is Node's (`ECONNREFUSED`, `SELF_SIGNED_CERT_IN_CHAIN` …). */
export class ClusterConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ClusterConnectionError';
  }
}

/** Node's codes for a server certificate that does not chain to the trusted CA or does not name the host. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether a connection failed because the server's certificate is not one the cluster CA vouches for. */
export function isCertificateRefusal(error: unknown): boolean {
  return error instanceof ClusterConnectionError && error.code !== undefined && CERTIFICATE_CODES.has(error.code);
}

export interface ClusterHttpsOptions {
  /** Give up on a request after this long. @default 10000 */
  readonly timeoutMs?: number;
  /** Refuse a larger answer (a list of many Applications is the largest). @default 32 MiB */
  readonly maxBodyBytes?: number;
}

/**
 * `ClusterFetch` over node:https with `ca` set: the server must present a
 * certificate issued by the cluster's CA for the endpoint's host, the way
 * kubectl trusts `certificate-authority-data` and nothing else. (Global
 * `fetch` cannot be given a CA per request without a dispatcher package.)
 * Error messages carry the code and host, never the headers.
 */
export function clusterHttps(options: ClusterHttpsOptions = {}): ClusterFetch {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  return (url, init) =>
    new Promise<ClusterAnswer>((resolve, reject) => {
      const host = new URL(url).host;
      const headers: Record<string, string> = { ...init.headers };
      if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
      const request = httpsRequest(url, { method: init.method, headers, ca: init.ca, timeout: timeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) {
            response.destroy();
            reject(new ClusterConnectionError(`${host} answered with more than ${maxBodyBytes} bytes`, undefined));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error: NodeJS.ErrnoException) => reject(new ClusterConnectionError(`${host}: ${error.message}`, error.code)));
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      request.on('error', (error: NodeJS.ErrnoException) => reject(new ClusterConnectionError(`${host}: ${error.message}`, error.code)));
      request.end(init.body);
    });
}
