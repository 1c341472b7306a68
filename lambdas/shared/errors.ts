/**
 * The few error classes Hoist raises. Only adapters (HTTP handlers, queue
 * consumers) map them to status codes or retry decisions; the core throws them
 * with a message that is safe to show (it never contains a secret).
 */

/** Base class: `status` is the HTTP status an adapter should answer with. */
export class HoistError extends Error {
  readonly status: number;
  /** Messages of errors below 500 may be shown to the caller. */
  get expose(): boolean {
    return this.status < 500;
  }
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.status = status;
  }
}

/** Input failed its schema or is otherwise malformed (400). */
export class ValidationError extends HoistError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 400, options);
  }
}

/** A signature or token is missing or does not match (401). */
export class SignatureError extends HoistError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 401, options);
  }
}

/** The caller is authenticated but may not do this (403). */
export class ForbiddenError extends HoistError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 403, options);
  }
}

/** A resource or route does not exist (404). */
export class NotFoundError extends HoistError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 404, options);
  }
}

/** The request body is larger than allowed (413). */
export class PayloadTooLargeError extends HoistError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 413, options);
  }
}

/** Someone else changed the state under us; re-read and try again (409). */
export class ConflictError extends HoistError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 409, options);
  }
}

/** Never worth retrying: bad configuration, a permanent refusal (422). */
export class TerminalError extends HoistError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 422, options);
  }
}

/** A dependency failed in a way that may pass (503); callers may retry. */
export class UnavailableError extends HoistError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 503, options);
  }
}

/** Not yet: the work should be tried again after `retryAfterSeconds` (an image not in its registry yet). */
export class RetryLaterError extends UnavailableError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Formats a zod error as `path: message; path: message` for people. */
export function formatZodIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .map((issue) => {
      const path = issue.path.reduce<string>((acc, part) => {
        if (typeof part === 'number') return `${acc}[${part}]`;
        const key = String(part);
        return acc === '' ? key : `${acc}.${key}`;
      }, '');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Vault refused a check-and-set write: the path's current version is not the one named. */
export class VaultCasError extends ConflictError {}
