import { ConflictError, type HoistError, TerminalError, UnavailableError } from '../shared/errors';
import { redactSecrets } from './redact-secrets';

/** What a Git host answered to one request; `status` is undefined when no answer came (network). */
export interface HostAnswer {
  /** `GitHub`, `GitLab`, `Gitea`, `git`. */
  readonly host: string;
  /** What was being done, for people: `reading the branch main`. */
  readonly action: string;
  readonly status: number | undefined;
  /** The host's own message. */
  readonly detail: string;
  /** Values that must never appear in the message (tokens, passwords). */
  readonly secrets?: ReadonlyArray<string | undefined>;
}

/** Rate-limit refusals some hosts send as 403 (GitHub's primary and secondary limits). */
const RATE_LIMITED = /rate limit/i;

/**
 * The error a host's answer means for Hoist: a permanent refusal (401, 403,
 * 404, a 4xx validation error) is a TerminalError, never retried; 409 is a
 * ConflictError (someone else moved the state: re-read and retry); 429, 5xx
 * and no answer at all are an UnavailableError, retried. Answers the host
 * documents as a lost race are recognised by each provider before this. The
 * message names the host, the action and the status, never a secret.
 */
export function hostError(answer: HostAnswer, cause?: unknown): HoistError {
  const detail = redactSecrets(answer.detail, answer.secrets ?? []).slice(0, 300);
  const { host, action, status } = answer;
  const options = cause === undefined ? undefined : { cause };
  if (status === undefined) return new UnavailableError(`${host} could not be reached while ${action}: ${detail}`, options);
  const message = `${host} answered ${status} while ${action}: ${detail}`;
  if (status === 429 || status >= 500) return new UnavailableError(message, options);
  if (status === 403 && RATE_LIMITED.test(detail)) return new UnavailableError(message, options);
  if (status === 409) return new ConflictError(message, options);
  return new TerminalError(message, options);
}
