import { logger } from '../shared/logger';
import { createPromoterHandler } from './create-promoter-handler';

/**
 * Until the promotion engine is wired in, the promoter validates each queued
 * event and logs it; nothing is promoted yet.
 */
export const handler = createPromoterHandler(async (envelope) => {
  logger.info('event received', { id: envelope.id, type: envelope.event.type });
});
