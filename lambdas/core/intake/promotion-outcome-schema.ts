import * as z from 'zod';
import type { PromotionOutcome } from '../ports';

/**
 * A stored `PromotionOutcome`, checked when a store reads one back (a file or
 * an item someone edited is not trusted to have the shape the port promises).
 */
export const PromotionOutcomeSchema = z.object({
  id: z.string().min(1),
  status: z.enum(['queued', 'promoted', 'noop', 'failed', 'waiting']),
  updatedAt: z.iso.datetime({ offset: true }),
  changes: z.array(z.object({ repository: z.string(), branch: z.string(), commit: z.string(), url: z.string().optional() })),
  reasons: z.array(z.string()),
}) satisfies z.ZodType<PromotionOutcome>;

/** What a promotion request id may be: it appears in a URL path and in envelope ids (`ci:<id>#0@…`). */
export const PROMOTION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
