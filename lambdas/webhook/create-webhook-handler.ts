import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ReceiveWebhookDeps, WebhookRequest } from '../core/intake/receive-webhook';
import { httpErrorResponse, jsonResponse } from '../shared/http-error-response';
import { answerWebhook, buildWebhookRequest } from './answer-webhook';

/** Turns API Gateway's event into the core's request: host from the path, header names lower-cased, body decoded. */
export function toWebhookRequest(event: APIGatewayProxyEventV2): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const raw = event.body ?? '';
  return buildWebhookRequest(
    event.requestContext.http.method,
    event.rawPath,
    headers,
    event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw,
  );
}

/** The webhook function: verify, parse, de-duplicate, enqueue, answer. */
export function createWebhookHandler(deps: ReceiveWebhookDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorResponse())
    .handler(async (event) => {
      const response = await answerWebhook(toWebhookRequest(event), deps);
      return jsonResponse(response.status, response.body);
    });
}
