import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Slack's documented block_actions example with Hoist's Approve button clicked (test/fixtures/README.md). */
const FIXTURE = JSON.parse(readFileSync('test/fixtures/slack/block-actions.json', 'utf8')) as Record<string, unknown>;

/** A fresh copy of the fixture, to change freely. */
export function blockActionsPayload(): BlockActionsFixture {
  return structuredClone(FIXTURE) as BlockActionsFixture;
}

export interface BlockActionsFixture {
  type: string;
  trigger_id?: string;
  user: { id: string; username?: string; name?: string };
  container: { channel_id: string; message_ts: string };
  channel: { id: string };
  response_url?: string;
  actions: Array<{ action_id: string; value?: string; action_ts?: string }>;
  [key: string]: unknown;
}

/** The body Slack posts: the payload as JSON in the form field `payload`. */
export const formBodyOf = (payload: unknown): string => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** `v0=` and the HMAC-SHA256 of `v0:{timestamp}:{body}`, as Slack signs. */
export const slackSignatureOf = (secret: string, timestamp: string | number, body: string): string =>
  `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;

/** Headers and body of a request Slack signed at `at`. */
export function signedSlackRequest(payload: unknown, secret: string, at: Date): { headers: Record<string, string>; body: string } {
  const body = formBodyOf(payload);
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignatureOf(secret, timestamp, body),
    },
    body,
  };
}
