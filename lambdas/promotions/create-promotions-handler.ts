import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ReadPromotionOutcomeDeps, readPromotionOutcome } from '../core/intake/read-promotion-outcome';
import { type ReceivePromotionDeps, receivePromotion } from '../core/intake/receive-promotion';
import { HoistError, NotFoundError } from '../shared/errors';
import { httpErrorResponse, jsonResponse } from '../shared/http-error-response';
import { logger } from '../shared/logger';

class MethodNotAllowedError extends HoistError {
  constructor(method: string, allowed: string) {
    super(`method ${method} is not allowed here; use ${allowed}`, 405);
  }
}

export type PromotionsHandlerDeps = ReceivePromotionDeps & ReadPromotionOutcomeDeps;

/** Lower-cased header names, as the core expects them. */
function headersOf(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/**
 * The promotions function: `POST /promotions` queues a promotion CI asks for,
 * `GET /promotions/{id}` answers how it went. Both are signed with the
 * client secret; the core checks that before anything else.
 */
export function createPromotionsHandler(deps: PromotionsHandlerDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(httpErrorResponse())
    .handler(async (event) => {
      const method = event.requestContext.http.method;
      const segments = event.rawPath.split('/').filter((s) => s !== '');
      if (segments[0] !== 'promotions' || segments.length > 2) throw new NotFoundError(`no route for ${event.rawPath}`);
      const headers = headersOf(event);

      if (segments.length === 1) {
        if (method !== 'POST') throw new MethodNotAllowedError(method, 'POST');
        const raw = event.body ?? '';
        const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
        const response = await receivePromotion({ headers, body }, deps);
        logger.info('promotion request handled', { status: response.status, outcome: response.body.status, id: response.body.id });
        return jsonResponse(response.status, response.body);
      }

      if (method !== 'GET') throw new MethodNotAllowedError(method, 'GET');
      // The id as it appears in the path: the signature covers exactly that text.
      const outcome = await readPromotionOutcome({ id: segments[1] ?? '', headers }, deps);
      return jsonResponse(200, outcome);
    });
}
