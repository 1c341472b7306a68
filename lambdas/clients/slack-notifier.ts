import type { Notifier } from '../core/ports';
import type { PromotionNotice } from '../core/promotion/promotion-notice';
import { TerminalError, UnavailableError } from '../shared/errors';
import { redactUrl, redactUrls } from '../shared/redact-url';
import { renderSlackMessage } from './slack-blocks';

/**
 * A webhook URL Slack can be called at: absolute http(s) without user or
 * password. Errors name the URL's host only; its path is the credential.
 */
export function checkSlackWebhookUrl(url: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new TerminalError(`Slack webhook URL for ${redactUrl(url)} is not an absolute https:// URL`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TerminalError(`Slack webhook URL for ${redactUrl(url)} carries a user or password; Slack's URL needs none`);
  }
  return parsed;
}

/**
 * Slack incoming webhooks: POST a JSON message (`text` as the fallback,
 * `blocks` for Block Kit). Slack answers 200 `ok`, or an error text.
 */
export class SlackWebhookNotifier implements Notifier {
  /** `webhookUrl` is a secret: pass a function when it comes from Secrets Manager. */
  constructor(
    private readonly webhookUrl: string | (() => Promise<string>),
    private readonly fetchImpl: typeof fetch = globalThis.fetch,
  ) {}

  async notify(notice: PromotionNotice): Promise<void> {
    const message = renderSlackMessage(notice);
    const url = checkSlackWebhookUrl(typeof this.webhookUrl === 'string' ? this.webhookUrl : await this.webhookUrl());
    let response: Response;
    try {
      response = await this.fetchImpl(url.href, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
      });
    } catch (error) {
      // The fetch error is not kept as the cause: it may quote the whole URL.
      throw new UnavailableError(`Slack webhook at ${redactUrl(url.href)} could not be reached: ${redactUrls(messageOf(error))}`);
    }
    const body = await response.text();
    if (!response.ok) throw new Error(`Slack answered ${response.status}: ${redactUrls(body.slice(0, 200))}`);
  }
}

/**
 * One notifier per Slack destination, built on first use. `urlOf` says how a
 * destination's webhook URL is read (undefined: that destination is not set up).
 */
export function slackNotifiers<D>(
  urlOf: (destination: D | undefined) => (() => Promise<string>) | undefined,
): (destination: D | undefined) => Notifier | undefined {
  const notifiers = new Map<string, Notifier | undefined>();
  return (destination) => {
    const key = JSON.stringify(destination ?? null);
    if (!notifiers.has(key)) {
      const url = urlOf(destination);
      notifiers.set(key, url === undefined ? undefined : new SlackWebhookNotifier(url));
    }
    return notifiers.get(key);
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
