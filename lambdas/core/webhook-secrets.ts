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
 * Whose secret accepted a delivery: the host's default (a plain-text secret
 * is one), or one repository's own. A repository's own secret speaks for that
 * repository only.
 */
export type WebhookSecretScope = { readonly kind: 'default' } | { readonly kind: 'repository'; readonly repository: string };

/** The secrets that may sign a delivery, and the scope a match stands for. */
export interface WebhookSecretCandidates {
  readonly scope: WebhookSecretScope;
  readonly secrets: readonly string[];
}

/**
 * The secrets that may sign a delivery from `repository`: that repository's
 * own if it has any (scoped to it), otherwise the default (possibly none).
 */
export function selectWebhookSecrets(document: WebhookSecretDocument, repository: string | undefined): WebhookSecretCandidates {
  if (typeof document === 'string') return { scope: { kind: 'default' }, secrets: [document] };
  const own = repository === undefined ? undefined : document.repositories[repository];
  if (repository !== undefined && own !== undefined) return { scope: { kind: 'repository', repository }, secrets: secretList(own) };
  return { scope: { kind: 'default' }, secrets: secretList(document.default) };
}

/** One secret or a list of them, as a list. */
function secretList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
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
