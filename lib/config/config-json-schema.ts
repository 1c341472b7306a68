import * as z from 'zod';
// A schema, not runtime code: the promoter's own definition stays the single source of truth.
import { promotionConfigJsonSchema } from '../../lambdas/core/config/promotion-config';
import { SecretSyncConfigSchema } from '../../lambdas/core/secrets/secret-sync-config';
import { HoistConfigSchema } from './hoist-config';

/**
 * The JSON Schema of the whole hoist.config.yaml: the deployment settings
 * from this schema, the promotion settings from the promoter's own, the
 * `secrets:` section from the secrets sync's own.
 */
export function configJsonSchema(): Record<string, unknown> {
  const deployment = z.toJSONSchema(HoistConfigSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
  const promotion = promotionConfigJsonSchema() as { properties: Record<string, unknown> };
  const { $schema: _, ...secrets } = z.toJSONSchema(SecretSyncConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...deployment,
    title: 'hoist.config.yaml',
    // The promoter leaves the deployment settings to this schema (it accepts them without looking).
    properties: {
      ...deployment.properties,
      ...Object.fromEntries(
        Object.entries(promotion.properties).filter(
          ([key]) => !(key in deployment.properties) || deployment.properties[key] === undefined || isOpaque(deployment.properties[key]),
        ),
      ),
      secrets,
    },
  };
}

/** A deployment-schema property the CDK app does not read (`z.unknown()`), which the promotion schema describes instead. */
function isOpaque(property: unknown): boolean {
  return typeof property === 'object' && property !== null && Object.keys(property).length === 0;
}
