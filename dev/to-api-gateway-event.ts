import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Content types API Gateway passes as text; everything else arrives base64-encoded. */
const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|[\w.+-]+\+json)|text\/)/;

/** Where a request went: a `URL` fits, and so does a path with the server's own host. */
export interface GatewayTarget {
  readonly pathname: string;
  /** `?…`, or empty. */
  readonly search: string;
  /** The API's domain name as API Gateway would report it. */
  readonly host: string;
}

/**
 * Node's request headers as API Gateway hands them on: lower-case names, one
 * string each, a repeated header's values joined with commas. (Node already
 * joins most repeated headers, keeps the first of a few such as Content-Type,
 * and lists only Set-Cookie.)
 */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return flat;
}

/**
 * Builds the API Gateway HTTP API (payload format 2.0) event that the same
 * request would produce in AWS, so the dev server runs the deployed handler code.
 */
export function toApiGatewayEvent(method: string, url: GatewayTarget, headers: IncomingHttpHeaders, body: Buffer): APIGatewayProxyEventV2 {
  const flat = flattenHeaders(headers);
  const isText = TEXT_TYPES.test(flat['content-type'] ?? '');
  const epoch = Date.now();
  const routeKey = `${method} ${url.pathname}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.startsWith('?') ? url.search.slice(1) : url.search,
    headers: flat,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: flat['user-agent'] ?? '' },
      requestId: `${epoch}`,
      routeKey,
      stage: '$default',
      time: requestTime(epoch),
      timeEpoch: epoch,
    },
    isBase64Encoded: !isText,
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const twoDigits = (n: number): string => String(n).padStart(2, '0');

/** `requestContext.time` as API Gateway writes it: `12/Mar/2020:19:03:58 +0000`. */
export function requestTime(epochMs: number): string {
  const at = new Date(epochMs);
  return `${twoDigits(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${twoDigits(at.getUTCHours())}:${twoDigits(at.getUTCMinutes())}:${twoDigits(at.getUTCSeconds())} +0000`;
}
