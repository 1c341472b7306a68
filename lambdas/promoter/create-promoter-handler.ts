import middy from '@middy/core';
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventEnvelopeSchema } from '../core/events';
import { parseWith } from '../core/intake/intake-outcome';
import type { EnvelopeConsumer } from '../core/ports';

/** Parses one queue record into an envelope; a malformed one fails (and, after retries, reaches the DLQ). */
export function envelopeOf(record: SQSRecord) {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  return parseWith(EventEnvelopeSchema, body, `queue message ${record.messageId}`);
}

/**
 * The promoter function: consumes the FIFO event queue and reports partial
 * batch failures, so one bad message is retried alone. With
 * `skipGroupOnError`, a failure holds back only the rest of its own message
 * group (keeping that group's order) while other groups go on.
 */
export function createPromoterHandler(consume: EnvelopeConsumer) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event, context) => {
    const processor = new SqsFifoPartialProcessorAsync();
    return processPartialResponse(event, async (record: SQSRecord) => consume(envelopeOf(record)), processor, {
      context,
      skipGroupOnError: true,
    });
  });
}
