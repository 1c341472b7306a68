import { describe, expect, it } from 'vitest';
import { verifySlackSignature } from '../../../../lambdas/core/intake/verify-slack-signature';
import { SignatureError } from '../../../../lambdas/shared/errors';
import { slackSignatureOf } from '../../../support/slack-actions';

/*
 * Slack's worked example from "Verifying requests from Slack": the signing
 * secret, timestamp, slash-command body and the signature Slack computed.
 */
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const DOC_NOW = new Date(Number(DOC_TIMESTAMP) * 1000 + 30_000);

const headers = (timestamp: string | undefined, signature: string | undefined) => ({
  'x-slack-request-timestamp': timestamp,
  'x-slack-signature': signature,
});

function refusal(run: () => void): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureError);
    return (error as Error).message;
  }
  throw new Error('expected a SignatureError');
}

describe('verifySlackSignature', () => {
  it("accepts Slack's documented example request", () => {
    expect(() => verifySlackSignature(DOC_SECRET, headers(DOC_TIMESTAMP, DOC_SIGNATURE), DOC_BODY, DOC_NOW)).not.toThrow();
  });

  it('refuses the example with one byte of the body changed, or signed with another secret', () => {
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers(DOC_TIMESTAMP, DOC_SIGNATURE), DOC_BODY.replace('text=', 'text=x'), DOC_NOW))).toBe(
      'x-slack-signature does not match',
    );
    const forged = slackSignatureOf('another-secret', DOC_TIMESTAMP, DOC_BODY);
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers(DOC_TIMESTAMP, forged), DOC_BODY, DOC_NOW))).toBe('x-slack-signature does not match');
  });

  it('refuses a signature moved to another timestamp: the timestamp is signed too', () => {
    const later = String(Number(DOC_TIMESTAMP) + 10);
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers(later, DOC_SIGNATURE), DOC_BODY, DOC_NOW))).toBe('x-slack-signature does not match');
  });

  it('refuses a request signed more than five minutes ago or ahead, even with a good signature', () => {
    const old = new Date(Number(DOC_TIMESTAMP) * 1000 + 301_000);
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers(DOC_TIMESTAMP, DOC_SIGNATURE), DOC_BODY, old))).toMatch(/more than five minutes old/);
    const early = new Date(Number(DOC_TIMESTAMP) * 1000 - 301_000);
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers(DOC_TIMESTAMP, DOC_SIGNATURE), DOC_BODY, early))).toMatch(/in the future/);
    // The edge of the window still counts.
    const edge = new Date(Number(DOC_TIMESTAMP) * 1000 + 300_000);
    expect(() => verifySlackSignature(DOC_SECRET, headers(DOC_TIMESTAMP, DOC_SIGNATURE), DOC_BODY, edge)).not.toThrow();
  });

  it('names a missing or malformed header', () => {
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers(undefined, DOC_SIGNATURE), DOC_BODY, DOC_NOW))).toBe(
      'missing x-slack-request-timestamp header',
    );
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers(DOC_TIMESTAMP, undefined), DOC_BODY, DOC_NOW))).toBe('missing x-slack-signature header');
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers('12.5', DOC_SIGNATURE), DOC_BODY, DOC_NOW))).toMatch(/not a Unix time/);
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers(DOC_TIMESTAMP, DOC_SIGNATURE.slice(0, -2)), DOC_BODY, DOC_NOW))).toMatch(
      /not of the form v0=<64 hex>/,
    );
    expect(refusal(() => verifySlackSignature(DOC_SECRET, headers(DOC_TIMESTAMP, DOC_SIGNATURE.replace('v0=', 'v1=')), DOC_BODY, DOC_NOW))).toMatch(
      /not of the form/,
    );
  });

  it('never matches with an empty signing secret', () => {
    const signature = slackSignatureOf('', DOC_TIMESTAMP, DOC_BODY);
    expect(refusal(() => verifySlackSignature('', headers(DOC_TIMESTAMP, signature), DOC_BODY, DOC_NOW))).toBe('x-slack-signature does not match');
  });
});
