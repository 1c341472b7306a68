import * as z from 'zod';
import type { CliDeps } from '../lambdas/wiring/cli';
import { formatTable, type Styles } from './cli-io';

/** One promotion of a service, as the audit trail has it. */
export interface HistoryEntry {
  readonly at: string;
  /** `promoted` for what Hoist committed or proposed. */
  readonly outcome: string;
  readonly service: string;
  readonly environment: string;
  readonly fromTag?: string;
  readonly toTag: string;
  readonly repository?: string;
  readonly branch?: string;
  readonly commit?: string;
  readonly pullRequestUrl?: string;
}

/** The parts of an audit record (lambdas/core/ports.ts `AuditRecord`) the history shows; other fields are dropped. */
const AuditLineSchema = z.object({
  at: z.string(),
  outcome: z.string(),
  repository: z.string().optional(),
  branch: z.string().optional(),
  commit: z.string().optional(),
  pullRequestUrl: z.string().optional(),
  promotions: z.array(z.unknown()).optional(),
});

/** A promotion inside a record (a `Promotion` of plan-promotions.ts, spread). */
const AuditPromotionSchema = z.object({ service: z.string(), environment: z.string(), fromTag: z.string().optional(), toTag: z.string() });

export interface HistoryQuery {
  readonly service: string;
  readonly environment?: string;
  /** At most this many entries, newest first. */
  readonly limit: number;
}

/**
 * The promotions of a service in the local audit trail (`<state>/audit.jsonl`,
 * written by the dev server), newest first. Lines that are not audit records
 * are skipped.
 */
export async function readHistory(query: HistoryQuery, deps: CliDeps): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  for (const line of await deps.auditLines()) {
    const record = AuditLineSchema.safeParse(line);
    if (!record.success) continue;
    const { at, outcome, repository, branch, commit, pullRequestUrl } = record.data;
    for (const raw of record.data.promotions ?? []) {
      const promotion = AuditPromotionSchema.safeParse(raw);
      if (!promotion.success || promotion.data.service !== query.service) continue;
      if (query.environment !== undefined && promotion.data.environment !== query.environment) continue;
      entries.push({
        at,
        outcome,
        ...promotion.data,
        ...(repository ? { repository } : {}),
        ...(branch ? { branch } : {}),
        ...(commit ? { commit } : {}),
        ...(pullRequestUrl ? { pullRequestUrl } : {}),
      });
    }
  }
  // ISO 8601 times in UTC order as text; the file is appended in time order, so equal times keep it.
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry.at === b.entry.at ? b.index - a.index : a.entry.at < b.entry.at ? 1 : -1))
    .map(({ entry }) => entry)
    .slice(0, query.limit);
}

/** `hoist history` for people: one row per promotion, newest first. */
export function formatHistory(entries: readonly HistoryEntry[], styles: Styles): string {
  const rows = entries.map((e) => [
    e.at,
    e.environment,
    `${e.fromTag ?? '-'} -> ${e.toTag}`,
    e.outcome,
    [e.repository && e.branch ? `${e.repository}:${e.branch}` : '', e.commit?.slice(0, 12) ?? '', e.pullRequestUrl ?? '']
      .filter((part) => part !== '')
      .join(' '),
  ]);
  return formatTable(['AT', 'ENV', 'TAGS', 'OUTCOME', 'WHERE'], rows, styles.bold);
}
