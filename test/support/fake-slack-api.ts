import { createServer, type IncomingMessage } from 'node:http';
import { listenLocal } from './listen-local';

export interface FakeSlackApiOptions {
  /** The bot token the fake accepts. */
  readonly token: string;
  /** Channel ids the bot may post to. */
  readonly channels?: readonly string[];
  /** Members of each user group by id. */
  readonly userGroups?: Readonly<Record<string, readonly string[]>>;
}

export interface FakeSlackApi {
  /** The Web API base, in place of https://slack.com/api. */
  readonly apiUrl: string;
  /** The origin that stands in for https://hooks.slack.com. */
  readonly hooksOrigin: string;
  /** Every Web API call: method, the bearer token's acceptance, and the arguments. */
  readonly calls: Array<{ method: string; args: Record<string, unknown> }>;
  readonly messages: Map<string, { channel: string; ts: string; text: string; blocks: unknown[] }>;
  /** Everything posted to response_urls, by path. */
  readonly responses: Array<{ path: string; body: Record<string, unknown> }>;
  /** The next `count` Web API calls answer HTTP 429 with `Retry-After: seconds`. */
  rateLimit(count: number, seconds: number): void;
  /** `fetch` that sends https://hooks.slack.com/… here, as Slack's own host would receive it. */
  readonly hooksFetch: typeof fetch;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A local Slack Web API and response_url host, following Slack's documented
 * behaviour: every Web API method answers HTTP 200 with `{ok: true, …}` or
 * `{ok: false, error: "<code>"}` — `not_authed` without a token,
 * `invalid_auth` with a wrong one, `channel_not_found`, `no_text`,
 * `message_not_found` (chat.update), `no_such_subteam`
 * (usergroups.users.list) — and HTTP 429 with `Retry-After` when rate
 * limited. Arguments come as JSON or as a form, the token as
 * `Authorization: Bearer`. A response_url takes JSON and allows five replies
 * (then 404 `used_url`).
 */
export async function startFakeSlackApi(options: FakeSlackApiOptions): Promise<FakeSlackApi> {
  const calls: FakeSlackApi['calls'] = [];
  const messages: FakeSlackApi['messages'] = new Map();
  const responses: FakeSlackApi['responses'] = [];
  const channels = new Set(options.channels ?? []);
  let limited = 0;
  let retryAfter = 1;
  let clock = 1_700_000_000;

  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const answer = (body: Record<string, unknown>) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
      if (path.startsWith('/actions/') || path.startsWith('/commands/')) {
        if (responses.filter((r) => r.path === path).length >= 5) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('used_url');
          return;
        }
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
          return;
        }
        responses.push({ path, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      const method = path.replace(/^\/api\//, '');
      const isJson = (req.headers['content-type'] ?? '').startsWith('application/json');
      const args: Record<string, unknown> = isJson ? (JSON.parse(text || '{}') as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(text));
      calls.push({ method, args });
      if (limited > 0) {
        limited -= 1;
        res.writeHead(429, { 'retry-after': String(retryAfter) }).end();
        return;
      }
      const auth = req.headers.authorization;
      if (auth === undefined) return answer({ ok: false, error: 'not_authed' });
      if (auth !== `Bearer ${options.token}`) return answer({ ok: false, error: 'invalid_auth' });
      switch (method) {
        case 'chat.postMessage': {
          const channel = String(args.channel ?? '');
          if (!channels.has(channel)) return answer({ ok: false, error: 'channel_not_found' });
          if (!args.text && !args.blocks) return answer({ ok: false, error: 'no_text' });
          clock += 1;
          const ts = `${clock}.000100`;
          const message = { channel, ts, text: String(args.text ?? ''), blocks: (args.blocks as unknown[]) ?? [] };
          messages.set(`${channel}/${ts}`, message);
          return answer({ ok: true, channel, ts, message: { type: 'message', text: message.text, ts } });
        }
        case 'chat.update': {
          const key = `${String(args.channel)}/${String(args.ts)}`;
          const message = messages.get(key);
          if (message === undefined) return answer({ ok: false, error: 'message_not_found' });
          if (!args.text && !args.blocks) return answer({ ok: false, error: 'no_text' });
          messages.set(key, { ...message, text: String(args.text ?? ''), blocks: (args.blocks as unknown[]) ?? [] });
          return answer({ ok: true, channel: message.channel, ts: message.ts, text: String(args.text ?? '') });
        }
        case 'usergroups.users.list': {
          const members = options.userGroups?.[String(args.usergroup ?? '')];
          if (members === undefined) return answer({ ok: false, error: 'no_such_subteam' });
          return answer({ ok: true, users: members });
        }
        default:
          return answer({ ok: false, error: 'unknown_method' });
      }
    })();
  });
  const local = await listenLocal(server);
  const hooksFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return fetch(url.replace(/^https:\/\/hooks\.slack\.com/, local.origin), init);
  };
  return {
    apiUrl: `${local.origin}/api`,
    hooksOrigin: local.origin,
    calls,
    messages,
    responses,
    rateLimit: (count, seconds) => {
      limited = count;
      retryAfter = seconds;
    },
    hooksFetch,
    close: local.close,
  };
}
