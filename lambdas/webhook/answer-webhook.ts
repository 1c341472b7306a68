import { type ReceiveWebhookDeps, receiveWebhook, type WebhookRequest, type WebhookResponse } from '../core/intake/receive-webhook';
import { HoistError } from '../shared/errors';
import { logger } from '../shared/logger';

class MethodNotAllowedError extends HoistError {
  constructor(method: string) {
    super(`method ${method} is not allowed; webhooks are POSTed`, 405);
  }
}

/**
 * The core's request from what any HTTP front sees: only a POST names a
 * webhook (405 otherwise), and only `/webhooks/<host>` names a host (any
 * other path is no host at all, a 404 from the core). `headers` must have
 * lower-case names.
 */
export function buildWebhookRequest(method: string, path: string, headers: Readonly<Record<string, string | undefined>>, body: string): WebhookRequest {
  if (method !== 'POST') throw new MethodNotAllowedError(method);
  const segments = path.split('/').filter((s) => s !== '');
  return { host: segments.length === 2 && segments[0] === 'webhooks' ? (segments[1] ?? '') : '', headers, body };
}

/** Receives one webhook delivery and logs how it was answered: the Lambda function and the dev server both answer through this. */
export async function answerWebhook(request: WebhookRequest, deps: ReceiveWebhookDeps): Promise<WebhookResponse> {
  const response = await receiveWebhook(request, deps);
  logger.info('webhook handled', { host: request.host, status: response.status, outcome: response.body.status });
  return response;
}
