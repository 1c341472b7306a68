import type { IncomingHttpHeaders } from 'node:http';

/** Why a request is turned away before any handler sees it. */
export interface RequestRefusal {
  readonly status: 400 | 403 | 415;
  readonly error: 'bad request' | 'forbidden' | 'unsupported media type';
  readonly reason: string;
}

/** The path and query of a request that passed the screen. */
export interface RequestTarget {
  readonly pathname: string;
  /** `?…`, or empty. */
  readonly search: string;
}

/** `host` or `host:port`, a bracketed IPv6 literal included; the Host header must look like this. */
const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/** JSON under any name: `application/json` and `application/<something>+json`. */
const JSON_TYPE = /^application\/(?:json|[\w.-]+\+json)$/;

/**
 * Checks what the dev server can tell about a request before reading its
 * body: the target is a plain path, the Host header is well formed, and a
 * browser request comes from the server's own origin. Browsers send `Origin`
 * on every cross-origin request and on every POST; Git hosts and curl send
 * none. The Host header is only checked, never used to build a URL.
 */
export function screenRequest(target: string | undefined, headers: IncomingHttpHeaders, ownOrigins: ReadonlySet<string>): RequestTarget | RequestRefusal {
  if (target === undefined || !target.startsWith('/')) {
    return { status: 400, error: 'bad request', reason: 'the request target must be a path starting with /' };
  }
  const host = headers.host;
  if (host !== undefined && !HOST_HEADER.test(host)) return { status: 400, error: 'bad request', reason: 'malformed Host header' };
  const origin = headers.origin;
  if (origin !== undefined && !ownOrigins.has(origin)) {
    return { status: 403, error: 'forbidden', reason: `requests from origin '${origin}' are refused; only ${[...ownOrigins].join(', ')} may call this server` };
  }
  const query = target.indexOf('?');
  return query === -1 ? { pathname: target, search: '' } : { pathname: target.slice(0, query), search: target.slice(query) };
}

/**
 * Checks that a POST carries JSON. Anything else (`text/plain` above all) is
 * what a web page can send without a CORS preflight, so it is refused rather
 * than parsed. GitHub may also post `application/x-www-form-urlencoded` with
 * the JSON in a `payload` field; the webhook core reads that form for GitHub only.
 */
export function screenMediaType(contentType: string | undefined, options: { readonly allowForm: boolean }): RequestRefusal | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (JSON_TYPE.test(mediaType)) return undefined;
  if (options.allowForm && mediaType === 'application/x-www-form-urlencoded') return undefined;
  const accepted = options.allowForm ? 'application/json, application/*+json or application/x-www-form-urlencoded' : 'application/json or application/*+json';
  return {
    status: 415,
    error: 'unsupported media type',
    reason: mediaType === '' ? `Content-Type is missing; send ${accepted}` : `Content-Type '${mediaType}' is not accepted; send ${accepted}`,
  };
}

/** Tells a refusal from a target. */
export function isRefusal(value: RequestTarget | RequestRefusal | undefined): value is RequestRefusal {
  return value !== undefined && 'status' in value;
}
