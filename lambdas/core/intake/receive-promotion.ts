import { PayloadTooLargeError, ValidationError } from '../../shared/errors';
import type { PromotionOutcomeStore } from '../ports';
import { buildEnvelopes, type EnqueueOnceDeps, enqueueOnce } from './enqueue-once';
import { parsePromotionRequest } from './parse-promotion-request';
import { PROMOTION_ID_PATTERN } from './promotion-outcome-schema';
import type { WebhookResponse } from './receive-webhook';
import { type PromotionClientSecrets, verifyPromotionSignature } from './verify-promotion-signature';

/** A `POST /promotions` request as it arrived, with lower-cased header names. */
export interface PromotionRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body, already base64-decoded if the gateway encoded it. */
  readonly body: string;
}

export interface ReceivePromotionDeps extends EnqueueOnceDeps {
  readonly secrets: PromotionClientSecrets;
  readonly outcomes: PromotionOutcomeStore;
  readonly now: () => Date;
  readonly maxBodyBytes: number;
  /** A fresh request id when the caller sends no `Idempotency-Key` (a random UUID). */
  readonly newId: () => string;
}

/**
 * Verifies, parses, de-duplicates and queues one promotion request from CI.
 * The signature is checked on the raw body before anything about it is
 * reported. The request id is the caller's `Idempotency-Key` (so a retried
 * CI job is a duplicate) or a fresh one; the queue envelopes are
 * `ci:<id>#0@<repository>:<branch>`, and the outcome CI polls starts as
 * `queued`, written before anything reaches the queue.
 */
export async function receivePromotion(request: PromotionRequest, deps: ReceivePromotionDeps): Promise<WebhookResponse> {
  const size = Buffer.byteLength(request.body, 'utf8');
  if (size > deps.maxBodyBytes) throw new PayloadTooLargeError(`body of ${size} bytes exceeds the limit of ${deps.maxBodyBytes} bytes`);
  await verifyPromotionSignature(deps.secrets, request.headers, request.body);

  const id = requestIdOf(request.headers, deps.newId);
  const receivedAt = deps.now();
  const event = parsePromotionRequest(parseJson(request.body), receivedAt);
  const { key, envelopes, ignored } = buildEnvelopes('ci', id, receivedAt, [event], deps.workOf);
  if (envelopes.length === 0) return { status: 202, body: { status: 'ignored', ignored: ignored.join('; ') } };

  const queued = () => deps.outcomes.put({ id, status: 'queued', updatedAt: receivedAt.toISOString(), changes: [], reasons: [] });
  const result = await enqueueOnce(key, envelopes, receivedAt, deps, queued);
  if (result === 'duplicate') return { status: 200, body: { status: 'duplicate', id } };
  return { status: 202, body: { status: 'accepted', id } };
}

/** The caller's `Idempotency-Key`, checked because it becomes part of a URL and of queue ids. */
function requestIdOf(headers: PromotionRequest['headers'], newId: () => string): string {
  const key = headers['idempotency-key'];
  if (key === undefined) return newId();
  if (!PROMOTION_ID_PATTERN.test(key)) {
    throw new ValidationError('Idempotency-Key: expected 1-128 of [A-Za-z0-9._-], starting with a letter or digit (a UUID fits)');
  }
  return key;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError('body is not valid JSON', { cause: error });
  }
}
