import { describe, expect, it } from 'vitest';
import { requestTime, toApiGatewayEvent } from '../../dev/to-api-gateway-event';

describe('toApiGatewayEvent', () => {
  it('builds the HTTP API payload 2.0 event: lower-cased headers, raw query without "?", text bodies as text', () => {
    const event = toApiGatewayEvent(
      'POST',
      { pathname: '/webhooks/github', search: '?a=1', host: '127.0.0.1:3000' },
      { 'Content-Type': 'application/json', 'x-multi': ['a', 'b'], 'user-agent': 'GitHub-Hookshot/1' },
      Buffer.from('{"zen":"x"}'),
    );
    expect(event.headers).toEqual({ 'content-type': 'application/json', 'x-multi': 'a,b', 'user-agent': 'GitHub-Hookshot/1' });
    expect(event.rawQueryString).toBe('a=1');
    expect(event.routeKey).toBe('POST /webhooks/github');
    expect(event.requestContext.http).toMatchObject({ method: 'POST', path: '/webhooks/github', userAgent: 'GitHub-Hookshot/1' });
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe('{"zen":"x"}');
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('base64-encodes a body API Gateway would not pass as text, and leaves an empty one out', () => {
    const binary = toApiGatewayEvent('POST', { pathname: '/x', search: '', host: 'h' }, { 'content-type': 'application/octet-stream' }, Buffer.from([0, 255]));
    expect(binary.isBase64Encoded).toBe(true);
    expect(binary.body).toBe('AP8=');
    expect('body' in toApiGatewayEvent('GET', { pathname: '/x', search: '', host: 'h' }, {}, Buffer.alloc(0))).toBe(false);
  });

  it("writes requestContext.time in API Gateway's format", () => {
    expect(requestTime(Date.UTC(2020, 2, 12, 19, 3, 58, 999))).toBe('12/Mar/2020:19:03:58 +0000');
    expect(requestTime(Date.UTC(2020, 2, 12, 19, 3, 59, 0))).toBe('12/Mar/2020:19:03:59 +0000');
    expect(requestTime(Date.UTC(2026, 11, 7, 8, 0, 0, 5))).toBe('07/Dec/2026:08:00:00 +0000');
  });
});
