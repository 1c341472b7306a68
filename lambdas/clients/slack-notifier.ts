import type { Notifier } from '../core/ports';
import type { PromotionNotice } from '../core/promotion/promotion-notice';
import { renderSlackMessage } from './slack-blocks';

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
    const url = typeof this.webhookUrl === 'string' ? this.webhookUrl : await this.webhookUrl();
    const response = await this.fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`Slack answered ${response.status}: ${body.slice(0, 200)}`);
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
