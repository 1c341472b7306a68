import * as z from 'zod';
import { TerminalError } from '../shared/errors';

const OneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/**
 * What a host's webhook secret holds: a plain string, or a JSON document with
 * a default and per-repository secrets. A list means "any of these" and lets
 * a secret be rotated without dropping deliveries.
 *
 * ```json
 * { "default": ["new-secret", "old-secret"], "repositories": { "team/app": "app-secret" } }
 * ```
 */
export const WebhookSecretDocumentSchema = z.union([
  z.string().min(1),
  z
    .object({
      default: OneOrMany.optional(),
      repositories: z.record(z.string(), OneOrMany).default({}),
    })
    .strict(),
]);
export type WebhookSecretDocument = z.infer<typeof WebhookSecretDocumentSchema>;

/**
 * The secrets that may sign a delivery from `repository`: that repository's
 * own if it has any, otherwise the default (possibly none).
 */
export function selectWebhookSecrets(document: WebhookSecretDocument, repository: string | undefined): string[] {
  const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value);
  if (typeof document === 'string') return [document];
  const own = repository === undefined ? undefined : document.repositories[repository];
  return own !== undefined ? list(own) : list(document.default);
}

/**
 * Reads a secret's text: a JSON document when it starts with `{`, the text
 * itself otherwise. The error never carries the text or a parser's excerpt of it.
 */
export function parseWebhookSecretText(text: string): WebhookSecretDocument {
  const trimmed = text.trim();
  let candidate: unknown = trimmed;
  if (trimmed.startsWith('{')) {
    try {
      candidate = JSON.parse(trimmed);
    } catch {
      throw new TerminalError('webhook secret starts with "{" but is not valid JSON');
    }
  }
  const result = WebhookSecretDocumentSchema.safeParse(candidate);
  if (!result.success) {
    const paths = result.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new TerminalError(`webhook secret document is invalid at: ${paths}`);
  }
  return result.data;
}
