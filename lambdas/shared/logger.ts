import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per process; the service name tags every line. */
export const logger = new Logger({ serviceName: 'hoist' });
