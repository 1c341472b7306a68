import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ReceiveWebhookDeps, receiveWebhook, type WebhookRequest } from '../core/intake/receive-webhook';
import { HoistError } from '../shared/errors';
import { httpErrorResponse, jsonResponse } from '../shared/http-error-response';
import { logger } from '../shared/logger';

class MethodNotAllowedError extends HoistError {
  constructor(method: string) {
    super(`method ${method} is not allowed; webhooks are POSTed`, 405);
  }
}

/** Turns API Gateway's event into the core's request: host from the path, body decoded. */
export function toWebhookRequest(event: APIGatewayProxyEventV2): WebhookRequest {
  const method = event.requestContext.http.method;
  if (method !== 'POST') throw new MethodNotAllowedError(method);
  const segments = event.rawPath.split('/').filter((s) => s !== '');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const raw = event.body ?? '';
  return {
    // Only `/webhooks/<host>` names a host; any other path is no host at all (404).
    host: segments.length === 2 && segments[0] === 'webhooks' ? (segments[1] ?? '') : '',
    headers,
    body: event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw,
  };
}

/** The webhook function: verify, parse, de-duplicate, enqueue, answer. */
export function createWebhookHandler(deps: ReceiveWebhookDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorResponse())
    .handler(async (event) => {
      const request = toWebhookRequest(event);
      const response = await receiveWebhook(request, deps);
      logger.info('webhook handled', { host: request.host, status: response.status, outcome: response.body.status });
      return jsonResponse(response.status, response.body);
    });
}
