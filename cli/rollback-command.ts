import * as z from 'zod';
import { isImageTag } from '../lambdas/core/image-ref';
import { type RecordedPromotion, type RollbackResult, rollbackTarget } from '../lambdas/core/promotion/rollback';
import type { CliDeps } from '../lambdas/wiring/cli';
import { UsageError } from './cli-io';
import { targetsIn } from './hold-command';

/** The parts of an audit record a rollback reads: the promotions it carries. */
const AuditPromotionsSchema = z.object({
  at: z.string(),
  outcome: z.string(),
  promotions: z
    .array(z.object({ targetKey: z.string(), fromTag: z.string().optional(), toTag: z.string(), rollback: z.boolean().optional() }).loose())
    .optional(),
});

/** Rolls back every target of a service in one environment, each to the tag before its current one. */
export async function rollbackService(request: { service: string; environment: string; by: string; tag?: string }, deps: CliDeps): Promise<RollbackResult[]> {
  const history: RecordedPromotion[] = (await deps.auditLines()).flatMap((line) => {
    const record = AuditPromotionsSchema.safeParse(line);
    if (!record.success || record.data.outcome !== 'promoted') return [];
    return (record.data.promotions ?? []).map((p) => ({
      at: record.data.at,
      targetKey: p.targetKey,
      toTag: p.toTag,
      ...(p.fromTag ? { fromTag: p.fromTag } : {}),
      ...(p.rollback ? { rollback: true } : {}),
    }));
  });
  if (request.tag !== undefined && !isImageTag(request.tag)) throw new UsageError(`--tag '${request.tag}' is not an image tag`);
  const results: RollbackResult[] = [];
  for (const target of targetsIn(request.service, request.environment, deps)) {
    results.push(await rollbackTarget(target, { by: request.by, history, ...(request.tag ? { toTag: request.tag } : {}) }, deps));
  }
  return results;
}
