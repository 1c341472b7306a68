import * as z from 'zod';
// A schema, not runtime code: the promoter's own definition stays the single source of truth.
import { promotionConfigJsonSchema } from '../../lambdas/core/config/promotion-config';
import { HoistConfigSchema } from './hoist-config';

/**
 * The JSON Schema of the whole hoist.config.yaml: the deployment settings
 * from this schema, the promotion settings from the promoter's own.
 */
export function configJsonSchema(): Record<string, unknown> {
  const deployment = z.toJSONSchema(HoistConfigSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
  const promotion = promotionConfigJsonSchema() as { properties: Record<string, unknown> };
  return {
    ...deployment,
    title: 'hoist.config.yaml',
    properties: { ...deployment.properties, ...promotion.properties },
  };
}
