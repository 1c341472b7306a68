import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ReceiveSlackActionDeps, receiveSlackAction } from '../core/intake/receive-slack-action';
import { HoistError, NotFoundError } from '../shared/errors';
import { httpErrorResponse, jsonResponse } from '../shared/http-error-response';
import { logger } from '../shared/logger';

class MethodNotAllowedError extends HoistError {
  constructor(method: string) {
    super(`method ${method} is not allowed; Slack POSTs interactions`, 405);
  }
}

/**
 * The Slack actions function: `POST /slack/actions`, where Slack sends the
 * clicks on approval messages. The core verifies the signature on the raw
 * body before anything else and answers within Slack's three seconds.
 */
export function createSlackActionsHandler(deps: ReceiveSlackActionDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorResponse())
    .handler(async (event) => {
      if (event.rawPath !== '/slack/actions') throw new NotFoundError(`no route for ${event.rawPath}`);
      const method = event.requestContext.http.method;
      if (method !== 'POST') throw new MethodNotAllowedError(method);
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
      const raw = event.body ?? '';
      const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      const response = await receiveSlackAction({ headers, body }, deps);
      // The outcome and queue id only: the payload carries the response_url, a credential for half an hour.
      logger.info('slack action handled', { status: response.status, outcome: response.body.status, id: response.body.id, reason: response.body.reason });
      return jsonResponse(response.status, response.body);
    });
}
