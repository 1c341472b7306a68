import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HoistError } from './errors';
import { logger } from './logger';

/** A JSON response in API Gateway v2's structured form. */
export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The `error` word shown for each status; the reason says the rest. */
const ERROR_WORDS: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  409: 'conflict',
  413: 'payload too large',
  422: 'unprocessable',
  503: 'unavailable',
};

/**
 * Middy middleware that turns a thrown error into a JSON answer. HoistErrors
 * below 500 show their message as `reason`; anything else becomes a bare 500
 * (or 503), and the raw error only goes to the log.
 */
export function httpErrorResponse(): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      const { status, body } = errorAnswerOf(request.error);
      request.response = jsonResponse(status, body);
    },
  };
}

/** The status and body that answer `error`, logged on the way. */
export function errorAnswerOf(error: unknown): { status: number; body: { error: string; reason?: string } } {
  const status = error instanceof HoistError ? error.status : 500;
  const word = ERROR_WORDS[status] ?? 'internal error';
  if (status >= 500) logger.error('request failed', { error: error instanceof Error ? error : String(error) });
  else logger.info('request refused', { status, reason: error instanceof Error ? error.message : String(error) });
  return { status, body: error instanceof HoistError && error.expose ? { error: word, reason: error.message } : { error: word } };
}
