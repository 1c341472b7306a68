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
 * Builds the API Gateway HTTP API (payload format 2.0) event that the same
 * request would produce in AWS, so the dev server runs the deployed handler code.
 */
export function toApiGatewayEvent(method: string, url: GatewayTarget, headers: IncomingHttpHeaders, body: Buffer): APIGatewayProxyEventV2 {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const isText = TEXT_TYPES.test(flat['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: flat,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: flat['user-agent'] ?? '' },
      requestId: `${now.getTime()}`,
      routeKey: `${method} ${url.pathname}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: !isText,
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
  };
}
