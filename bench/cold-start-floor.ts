import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';

/*
 * The floor of a Hoist function's cold import, bundled like the functions
 * (bench/bundles.ts): an SQS client and Powertools' Logger, built at module
 * scope, and a handler that uses both.
 */
const sqs = new SQSClient({});
const logger = new Logger();

export const handler = async (event: unknown): Promise<unknown> => {
  logger.info('event', { event });
  return sqs.config.serviceId;
};
