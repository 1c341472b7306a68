/**
 * What stands for text that was meant to be a URL but cannot be read as one.
 * The text itself is never echoed: it may be a secret pasted in the wrong place.
 */
export const UNREADABLE_URL = '[unreadable URL]';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A host that is plausibly a host: dotted, `localhost`, or a bracketed IPv6 address. */
const isPlausibleHost = (hostname: string): boolean => hostname.includes('.') || hostname === 'localhost' || hostname.startsWith('[');

/**
 * The part of a URL that is safe to log: `scheme://host[:port]`, without
 * user, password, path, query or fragment (the path of a Slack incoming
 * webhook is its credential). A URL written without a scheme
 * (`hooks.slack.com/services/…`) gives its host alone; anything else gives
 * UNREADABLE_URL.
 */
export function redactUrl(value: string): string {
  const text = value.trim();
  const hasScheme = SCHEME.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch {
    return UNREADABLE_URL;
  }
  if (hasScheme) return url.host === '' ? `${url.protocol}//` : `${url.protocol}//${url.host}`;
  return url.host !== '' && isPlausibleHost(url.hostname) ? url.host : UNREADABLE_URL;
}

const DELIMITED = String.raw`[^\s"'<>\x60]`;
const HOST = String.raw`(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d+)?`;
/**
 * URL-looking text: anything with a scheme (`https://…`, `git+ssh://…`), and
 * scheme-less `user:pass@host…` or `host.tld/…`, which is how a URL missing
 * its scheme shows up in parser errors.
 */
const URL_LIKE = new RegExp(
  String.raw`(?<![\w.+-])(?:[a-z][a-z0-9+.-]*:\/\/${DELIMITED}+|[^\s/@"'<>\x60]+@${HOST}(?:[/?#]${DELIMITED}*)?|${HOST}[/?#]${DELIMITED}*)`,
  'gi',
);

/**
 * `text` with every URL-looking part in it reduced by redactUrl, e.g. an
 * error message quoting the URL it failed on. `file:` URLs (stack frames)
 * name local code, not a remote service, and stay as they are.
 */
export function redactUrls(text: string): string {
  return text.replace(URL_LIKE, (match) => (/^file:/i.test(match) ? match : redactUrl(match)));
}

/** How deep a chain of causes is followed; deeper causes are dropped. */
const MAX_CAUSE_DEPTH = 5;

/**
 * A copy of `error` (and of its causes) whose message, stack and string
 * fields have their URLs redacted: fetch and URL parser errors quote the
 * whole URL, credential and all (Node's `ERR_INVALID_URL` also in `input`).
 */
export function redactUrlsInError(error: Error, depth = 0): Error {
  const copy = new Error(redactUrls(error.message));
  copy.name = error.name;
  copy.stack = error.stack === undefined ? undefined : redactUrls(error.stack);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    if (depth < MAX_CAUSE_DEPTH) copy.cause = redactUrlsInError(cause, depth + 1);
  } else if (typeof cause === 'string') copy.cause = redactUrls(cause);
  else if (cause !== undefined) copy.cause = cause;
  const fields = copy as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(error)) {
    if (!(key in copy)) fields[key] = typeof value === 'string' ? redactUrls(value) : value;
  }
  return copy;
}
