import * as z from 'zod/mini';
import type { SlackChat, SlackDirectory, SlackMessageBody, SlackMessageRef } from '../core/slack-ports';
import { type HoistError, RetryLaterError, TerminalError, UnavailableError } from '../shared/errors';

export interface SlackWebApiProps {
  /** The bot token (`xoxb-…`); a function, since it comes from Secrets Manager and may rotate. */
  readonly token: () => Promise<string>;
  /** @default https://slack.com/api */
  readonly baseUrl?: string;
  /** How long one call may take, in milliseconds: approvals answer Slack within three seconds. @default 2000 */
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
}

const defaultProps = { baseUrl: 'https://slack.com/api', timeoutMs: 2000 };

/**
 * Error codes that may pass on their own (Slack's Web API documents them for
 * every method); every other code (`invalid_auth`, `missing_scope`,
 * `channel_not_found`, `no_such_subteam` …) needs a person.
 */
const TRANSIENT_CODES = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Slack's envelope: `{ok: true, …}` or `{ok: false, error: "<code>"}`. */
// zod/mini: the Slack actions function builds this client at cold start, and zod's full API costs tens of ms to load.
const EnvelopeSchema = z.union([z.looseObject({ ok: z.literal(true) }), z.looseObject({ ok: z.literal(false), error: z.string() })]);
const PostMessageSchema = z.looseObject({ channel: z.string(), ts: z.string() });
const UsersSchema = z.looseObject({ users: z.array(z.string()) });

/**
 * The few Web API methods the approval flow calls, over fetch with the bot
 * token as a Bearer header: `chat.postMessage` and `chat.update` as JSON,
 * `usergroups.users.list` as a form (the content type Slack lists for it).
 * An `{ok: false, error}` answer is an error naming the method and Slack's
 * code; the token never appears in a message.
 */
export class SlackWebApi implements SlackChat, SlackDirectory {
  private readonly props: Required<SlackWebApiProps>;

  constructor(props: SlackWebApiProps) {
    this.props = { ...defaultProps, fetchImpl: globalThis.fetch, ...props };
  }

  async postMessage(channel: string, message: SlackMessageBody): Promise<SlackMessageRef> {
    const answer = await this.call('chat.postMessage', { json: { channel, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) } });
    const { channel: posted, ts } = this.read('chat.postMessage', PostMessageSchema, answer);
    return { channel: posted, ts };
  }

  async updateMessage(ref: SlackMessageRef, message: SlackMessageBody): Promise<void> {
    await this.call('chat.update', { json: { channel: ref.channel, ts: ref.ts, text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) } });
  }

  async usersOfGroup(groupId: string): Promise<readonly string[]> {
    const answer = await this.call('usergroups.users.list', { form: { usergroup: groupId } });
    return this.read('usergroups.users.list', UsersSchema, answer).users;
  }

  private async call(method: string, body: { json: Record<string, unknown> } | { form: Record<string, string> }): Promise<unknown> {
    const token = await this.props.token();
    const [contentType, text] =
      'json' in body
        ? ['application/json; charset=utf-8', JSON.stringify(body.json)]
        : ['application/x-www-form-urlencoded', new URLSearchParams(body.form).toString()];
    let response: Response;
    try {
      response = await this.props.fetchImpl(`${this.props.baseUrl}/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        body: text,
        signal: AbortSignal.timeout(this.props.timeoutMs),
      });
    } catch (error) {
      // Only the error's name: the request it describes carries the token.
      throw new UnavailableError(`Slack ${method} could not be reached: ${error instanceof Error ? error.name : 'network error'}`);
    }
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after') ?? '');
      throw new RetryLaterError(`Slack ${method} failed: ratelimited`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 60);
    }
    if (response.status >= 500) throw new UnavailableError(`Slack ${method} answered ${response.status}`);
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      throw new UnavailableError(`Slack ${method} answered ${response.status} without JSON`, { cause: error });
    }
    const envelope = EnvelopeSchema.safeParse(json);
    if (!envelope.success) throw new UnavailableError(`Slack ${method} answered ${response.status} with no ok field`);
    if (envelope.data.ok === false) throw slackError(method, envelope.data.error);
    return envelope.data;
  }

  private read<S extends z.ZodMiniType>(method: string, schema: S, answer: unknown): z.infer<S> {
    const result = schema.safeParse(answer);
    if (!result.success) throw new TerminalError(`Slack ${method} answered ok without the expected fields`, { cause: result.error });
    return result.data;
  }
}

/** The error an `{ok: false, error: code}` answer means. */
function slackError(method: string, code: string): HoistError {
  // Slack's codes are snake_case words; anything else is not repeated.
  const shown = /^[a-z0-9_]{1,64}$/.test(code) ? code : 'an unreadable error code';
  const message = `Slack ${method} failed: ${shown}`;
  return TRANSIENT_CODES.has(code) ? new UnavailableError(message) : new TerminalError(message);
}
