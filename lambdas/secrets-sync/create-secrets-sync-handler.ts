import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

// Work in progress: replaced by the grouped queue handler over the sync core.
export function createSecretsSyncHandler(_deps: unknown) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => ({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) }));
}
