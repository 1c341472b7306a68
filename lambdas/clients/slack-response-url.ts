import { isSlackResponseUrl, SLACK_RESPONSE_URL_PREFIX } from '../core/intake/is-slack-response-url';
import type { SlackMessageBody, SlackResponder } from '../core/slack-ports';
import { TerminalError, UnavailableError } from '../shared/errors';

export interface SlackResponseUrlResponderProps {
  /** How long the reply may take, in milliseconds: it happens before Slack's three seconds are up. @default 1000 */
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
}

/**
 * Replies to an interaction through its `response_url`, as Slack documents
 * it: a JSON POST with `response_type: ephemeral` (only the person who
 * clicked sees it) and `replace_original: false` (the approval message
 * stays). Only `https://hooks.slack.com/…` URLs are called: the URL comes
 * from the request. Errors never quote the URL, which is a credential for
 * half an hour.
 */
export class SlackResponseUrlResponder implements SlackResponder {
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(props: SlackResponseUrlResponderProps = {}) {
    this.timeoutMs = props.timeoutMs ?? 1000;
    this.fetchImpl = props.fetchImpl ?? globalThis.fetch;
  }

  async respond(responseUrl: string, message: SlackMessageBody): Promise<void> {
    if (!isSlackResponseUrl(responseUrl)) throw new TerminalError(`refusing to reply to a response_url outside ${SLACK_RESPONSE_URL_PREFIX}`);
    let response: Response;
    try {
      response = await this.fetchImpl(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          response_type: 'ephemeral',
          replace_original: false,
          text: message.text,
          ...(message.blocks ? { blocks: message.blocks } : {}),
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new UnavailableError(`Slack's response_url could not be reached: ${error instanceof Error ? error.name : 'network error'}`);
    }
    if (!response.ok) {
      // Slack answers 404 with `expired_url` or `used_url` past thirty minutes or five replies.
      const detail = (await response.text().catch(() => '')).slice(0, 100).replace(/[^\w .-]/g, '');
      const message = `Slack's response_url answered ${response.status}${detail ? `: ${detail}` : ''}`;
      throw response.status >= 500 ? new UnavailableError(message) : new TerminalError(message);
    }
  }
}
