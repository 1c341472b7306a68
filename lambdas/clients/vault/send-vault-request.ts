import * as z from 'zod';
import { TerminalError, UnavailableError } from '../../shared/errors';
import { redactUrl, redactUrls } from '../../shared/redact-url';

/** How long one request to Vault may take, body included. */
export const DEFAULT_VAULT_TIMEOUT_MS = 10_000;

/** Where and how requests to one Vault server go. */
export interface VaultEndpoint {
  /** Vault's base URL, e.g. https://vault.example.com:8200 */
  readonly url: string;
  /** Vault Enterprise / HCP namespace, sent as X-Vault-Namespace. */
  readonly namespace?: string;
  /** @default DEFAULT_VAULT_TIMEOUT_MS */
  readonly timeoutMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Vault's status and its parsed JSON body (undefined for an empty body). */
export interface VaultAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Vault's error body: `{"errors":["…"]}`; `[]` on a 404 means "nothing there". */
export const VaultErrorsSchema = z.object({ errors: z.array(z.string()) });

/** The configured base URL without a trailing slash; refuses anything but plain http(s) without credentials. */
export function vaultBaseUrl(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TerminalError(`Vault URL ${redactUrl(raw)} is not an absolute http(s) URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TerminalError(`Vault URL for ${redactUrl(raw)} carries a user or password; Hoist sends a Vault token instead`);
  }
  if (url.search !== '' || url.hash !== '') throw new TerminalError(`Vault URL for ${redactUrl(raw)} must not have a query or fragment`);
  return raw.replace(/\/+$/, '');
}

/**
 * `segments` as one URL path, each segment percent-encoded. `what` names the
 * configuration it came from in the error; an empty, `.` or `..` segment is
 * refused rather than let the URL reach another path than the one named.
 */
export function vaultPathOf(what: string, value: string): string {
  const segments = value.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new TerminalError(`Vault ${what} '${value}' has an empty, '.' or '..' segment`);
    }
  }
  return segments.map((segment) => encodeURIComponent(segment)).join('/');
}

/** The first few of Vault's error strings, safe to put in a message: Vault's errors name paths and reasons, never values. */
export function vaultErrorText(body: unknown): string {
  const parsed = VaultErrorsSchema.safeParse(body);
  if (!parsed.success || parsed.data.errors.length === 0) return 'no error text';
  return redactUrls(parsed.data.errors.slice(0, 3).join('; ').replace(/\s+/g, ' ').trim().slice(0, 300));
}

/** Statuses worth trying again: Vault sealed or overloaded (5xx), rate-limited (429), a standby not yet caught up (412). */
export function isRetryableVaultStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 412;
}

/**
 * One request to Vault's HTTP API (`/v1/…`). Throws UnavailableError when
 * Vault cannot be reached or does not answer in time; any answer, error
 * statuses included, is returned for the caller to read. The token goes in
 * a header and never into a message.
 */
export async function sendVaultRequest(
  endpoint: VaultEndpoint,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { readonly token?: string; readonly body?: unknown } = {},
): Promise<VaultAnswer> {
  const base = vaultBaseUrl(endpoint.url);
  const timeoutMs = endpoint.timeoutMs ?? DEFAULT_VAULT_TIMEOUT_MS;
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['x-vault-token'] = options.token;
  if (endpoint.namespace !== undefined) headers['x-vault-namespace'] = endpoint.namespace;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const send = endpoint.fetch ?? globalThis.fetch;
  let status: number;
  let text: string;
  try {
    // One signal for the request and its body: a Vault that stalls mid-answer is as unreachable as one that never answers.
    const response = await send(`${base}/v1/${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(timeoutMs),
      // A redirect would carry X-Vault-Token to wherever it points; Vault's standbys forward requests instead.
      redirect: 'manual',
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    // The fetch error is not kept as the cause: it may quote the whole URL.
    throw new UnavailableError(`Vault unreachable at ${redactUrl(base)} (${reasonOf(error, timeoutMs)})`);
  }
  if (status >= 300 && status < 400) {
    throw new TerminalError(
      `Vault at ${redactUrl(base)} answered ${method} with a redirect (${status}); point secrets.vault.url at the address that answers itself`,
    );
  }
  if (text.trim() === '') return { status, body: undefined };
  try {
    return { status, body: JSON.parse(text) as unknown };
  } catch {
    // A proxy's HTML page in front of Vault, say; its text is not repeated.
    if (isRetryableVaultStatus(status)) throw new UnavailableError(`Vault at ${redactUrl(base)} answered ${status} without a JSON body`);
    throw new TerminalError(`Vault at ${redactUrl(base)} answered ${method} ${status} without a JSON body; is the URL Vault's?`);
  }
}

/** Why a fetch failed, in a few safe words: the timeout, or the socket error code. */
function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
  return 'the connection failed';
}
