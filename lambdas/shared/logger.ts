import { Logger } from '@aws-lambda-powertools/logger';
import { redactUrls, redactUrlsInError } from './redact-url';

/**
 * Keys whose string values carry error text from clients and libraries, which
 * may quote a URL. A `reason` is Hoist's own sentence (it names images such as
 * `registry.example.com/team/api`, which look like scheme-less URLs) and is
 * kept whole; client errors are redacted where they are raised.
 */
const ERROR_TEXT_KEYS = new Set(['error', 'cause']);

/**
 * Errors and error text lose the paths, queries and credentials of the URLs
 * they quote: a Slack incoming-webhook URL is a secret, and fetch puts the
 * URL it failed on into its message.
 */
function redactErrorText(key: string, value: unknown): unknown {
  if (value instanceof Error) return redactUrlsInError(value);
  if (typeof value === 'string' && ERROR_TEXT_KEYS.has(key)) return redactUrls(value);
  return value;
}

/** One structured logger per process; the service name tags every line. */
export const logger = new Logger({ serviceName: 'hoist', jsonReplacerFn: redactErrorText });
