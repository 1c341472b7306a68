import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureError } from '../../shared/errors';

/** `v0=<hex HMAC-SHA256>` of `v0:<timestamp>:<raw body>`. */
export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
/** Unix seconds when Slack signed the request. */
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
/** Slack's advice: refuse requests signed more than five minutes from now, either way, so a captured one cannot be replayed later. */
export const SLACK_REPLAY_WINDOW_SECONDS = 5 * 60;

const SIGNATURE_FORMAT = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP_FORMAT = /^\d{1,12}$/;

/**
 * Checks a request from Slack as Slack documents it ("Verifying requests
 * from Slack"): the timestamp lies within five minutes of `now`, and
 * `X-Slack-Signature` is `v0=` and the HMAC-SHA256 (keyed with the signing
 * secret) of `v0:{timestamp}:{raw body}`, compared in constant time. Throws a
 * SignatureError (401) with the reason; never says what was expected.
 */
export function verifySlackSignature(signingSecret: string, headers: Readonly<Record<string, string | undefined>>, rawBody: string, now: Date): void {
  const timestamp = headers[SLACK_TIMESTAMP_HEADER];
  const signature = headers[SLACK_SIGNATURE_HEADER];
  if (timestamp === undefined || timestamp === '') throw new SignatureError(`missing ${SLACK_TIMESTAMP_HEADER} header`);
  if (signature === undefined || signature === '') throw new SignatureError(`missing ${SLACK_SIGNATURE_HEADER} header`);
  if (!TIMESTAMP_FORMAT.test(timestamp)) throw new SignatureError(`${SLACK_TIMESTAMP_HEADER} is not a Unix time in seconds`);
  const skew = Number(timestamp) - Math.floor(now.getTime() / 1000);
  if (skew < -SLACK_REPLAY_WINDOW_SECONDS) throw new SignatureError(`${SLACK_TIMESTAMP_HEADER} is more than five minutes old; the request may be a replay`);
  if (skew > SLACK_REPLAY_WINDOW_SECONDS) throw new SignatureError(`${SLACK_TIMESTAMP_HEADER} is more than five minutes in the future`);
  // The format is public; checking it first keeps the comparison below to two buffers of one length.
  if (!SIGNATURE_FORMAT.test(signature)) throw new SignatureError(`${SLACK_SIGNATURE_HEADER} is not of the form v0=<64 hex>`);
  if (signingSecret === '') throw new SignatureError(`${SLACK_SIGNATURE_HEADER} does not match`);
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`, 'utf8').digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  if (!timingSafeEqual(given, expected)) throw new SignatureError(`${SLACK_SIGNATURE_HEADER} does not match`);
}
