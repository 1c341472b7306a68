import { NotFoundError, SignatureError } from '../../shared/errors';
import { verifyHmacSha256 } from './verify-signature';

/**
 * The secrets that may sign requests to `/promotions` (several while one is
 * rotated). `undefined` means promotions are not set up here.
 */
export interface PromotionClientSecrets {
  current(): Promise<readonly string[] | undefined>;
}

/** The header that carries `sha256=<hex HMAC-SHA256>` of what was signed. */
export const PROMOTION_SIGNATURE_HEADER = 'x-hoist-signature-256';

/**
 * Checks `X-Hoist-Signature-256` against `signed` (the raw body of a POST,
 * the path `/promotions/<id>` of a GET) with each client secret, in constant
 * time per comparison. Throws before the caller has looked at anything else.
 */
export async function verifyPromotionSignature(
  secrets: PromotionClientSecrets,
  headers: Readonly<Record<string, string | undefined>>,
  signed: string,
): Promise<void> {
  const candidates = await secrets.current();
  if (candidates === undefined) throw new NotFoundError('promotions are not configured');
  const signature = headers[PROMOTION_SIGNATURE_HEADER];
  if (signature === undefined || signature === '') throw new SignatureError(`missing ${PROMOTION_SIGNATURE_HEADER} header`);
  if (!verifyHmacSha256(candidates, signed, signature)) throw new SignatureError(`${PROMOTION_SIGNATURE_HEADER} does not match`);
}
