import type { z } from 'zod';
import { formatZodIssues, ValidationError } from '../../shared/errors';
import type { HoistEvent } from '../events';

/** What a verified delivery amounts to, before anything is queued. */
export type IntakeOutcome =
  | { readonly kind: 'events'; readonly events: readonly HoistEvent[] }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'ping'; readonly message: string };

export const ignored = (reason: string): IntakeOutcome => ({ kind: 'ignored', reason });
export const accepted = (...events: HoistEvent[]): IntakeOutcome => ({ kind: 'events', events });

/** Parses `input` with `schema`, throwing a ValidationError that names each failing path. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ValidationError(`${what}: ${formatZodIssues(result.error.issues)}`, { cause: result.error });
  }
  return result.data;
}
