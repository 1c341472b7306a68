import { NotFoundError } from '../../shared/errors';
import type { PromotionOutcome, PromotionOutcomeStore } from '../ports';
import { PROMOTION_ID_PATTERN } from './promotion-outcome-schema';
import { type PromotionClientSecrets, verifyPromotionSignature } from './verify-promotion-signature';

export interface ReadPromotionOutcomeDeps {
  readonly secrets: PromotionClientSecrets;
  readonly outcomes: PromotionOutcomeStore;
}

/** The path a `GET` for `id` signs: an outcome holds commit and PR links, so it is not public. */
export const promotionOutcomePath = (id: string): string => `/promotions/${id}`;

/**
 * Answers `GET /promotions/{id}`. The request signs the path
 * `/promotions/<id>` (there is no body), so a signature read off one CI log
 * opens that one outcome and no other. Nothing, not even whether the id
 * exists, is told before the signature matched.
 */
export async function readPromotionOutcome(
  request: { readonly id: string; readonly headers: Readonly<Record<string, string | undefined>> },
  deps: ReadPromotionOutcomeDeps,
): Promise<PromotionOutcome> {
  await verifyPromotionSignature(deps.secrets, request.headers, promotionOutcomePath(request.id));
  // An id no request could have had is simply unknown.
  const outcome = PROMOTION_ID_PATTERN.test(request.id) ? await deps.outcomes.get(request.id) : undefined;
  if (outcome === undefined) throw new NotFoundError('no promotion with that id is known');
  return outcome;
}
