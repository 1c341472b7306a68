import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { DynamoDbDeliveryLedger } from '../clients/aws/dynamodb-delivery-ledger';
import { SqsEventQueue } from '../clients/aws/sqs-event-queue';
import type { HoistEvent } from '../core/events';
import type { EnqueueOnceDeps } from '../core/intake/enqueue-once';
import { DEFAULT_MAX_BODY_BYTES } from '../core/intake/intake-defaults';
import type { Work } from '../core/promotion/triggers';
import { PositiveIntText } from '../shared/env';
import { loadOnce } from '../shared/load-once';
import { loadedWithFirstEvent } from '../shared/loaded-with-first-event';
import { logger } from '../shared/logger';
import { readShippedConfig, ShippedConfigEnvSchema } from './read-shipped-config';

/** The variables every intake function reads. */
export const IntakeEnvSchema = z.object({
  HOIST_EVENT_QUEUE_URL: z.url(),
  HOIST_TABLE_NAME: z.string().check(z.minLength(1)),
  HOIST_DELIVERY_TTL_SECONDS: z._default(PositiveIntText, 7 * 24 * 3600),
  /** hoist.config.json, shipped by the stack next to the handler; its targets route events to GitOps branches. */
  HOIST_CONFIG_PATH: ShippedConfigEnvSchema.shape.HOIST_CONFIG_PATH,
  /** Its digest; without it no config was shipped, and events are ordered by source. */
  HOIST_CONFIG_SHA256: z.optional(ShippedConfigEnvSchema.shape.HOIST_CONFIG_SHA256),
});

/** The webhook function's variables: secret ids (names or ARNs), never secret values. */
export const WebhookEnvSchema = z.extend(IntakeEnvSchema, {
  HOIST_WEBHOOK_SECRET_ID_GITHUB: z.optional(z.string().check(z.minLength(1))),
  HOIST_WEBHOOK_SECRET_ID_GITLAB: z.optional(z.string().check(z.minLength(1))),
  HOIST_WEBHOOK_SECRET_ID_GITEA: z.optional(z.string().check(z.minLength(1))),
  HOIST_MAX_BODY_BYTES: z._default(PositiveIntText, DEFAULT_MAX_BODY_BYTES),
});

/** The promotions function's variables: the signing secret's id (name or ARN), never its value. */
export const PromotionsEnvSchema = z.extend(IntakeEnvSchema, {
  HOIST_PROMOTION_SECRET_ID: z.string().check(z.minLength(1)),
  HOIST_MAX_BODY_BYTES: z._default(PositiveIntText, DEFAULT_MAX_BODY_BYTES),
  HOIST_PROMOTION_OUTCOME_TTL_SECONDS: z._default(PositiveIntText, 7 * 24 * 3600),
});

/** The intake's dependencies, and how to have the routing ready before an event is taken in. */
export type AwsIntakeDeps = EnqueueOnceDeps & {
  readonly now: () => Date;
  /** Loads the routing (the promotion core's `workOf`) once; every handler awaits it before its event (see afterRouting). */
  readonly routingReady: () => Promise<void>;
};

/** The delivery ledger, event queue and clock that the intake functions and the ECR reconcile share. */
export function awsIntakeDeps(env: z.infer<typeof IntakeEnvSchema>): AwsIntakeDeps {
  return {
    ledger: new DynamoDbDeliveryLedger({
      client: new DynamoDBClient({}),
      tableName: env.HOIST_TABLE_NAME,
      ttlSeconds: env.HOIST_DELIVERY_TTL_SECONDS,
    }),
    queue: new SqsEventQueue({ client: new SQSClient({}), queueUrl: env.HOIST_EVENT_QUEUE_URL }),
    log: logger,
    now: () => new Date(),
    ...routing(env),
  };
}

/**
 * The handler `loadHandler` builds, loaded with the first event together
 * with the routing of `deps`: the intake core that parses deliveries (the
 * host parsers and event schemas, with zod's classic API) and the promotion
 * core that routes events (with the YAML and config code it brings) load
 * then, not at cold start. A failed load fails that event and is tried again
 * with the next one.
 */
export function afterRouting<E, C, R>(
  deps: Pick<AwsIntakeDeps, 'routingReady'>,
  loadHandler: () => Promise<(event: E, context: C) => Promise<R>>,
): (event: E, context: C) => Promise<R> {
  return loadedWithFirstEvent(async () => (await Promise.all([loadHandler(), deps.routingReady()]))[0]);
}

/**
 * Routing by the promotion config when the stack shipped one (read and
 * checked now, so a bad file fails the cold start); without it events are
 * ordered by source.
 */
function routing(env: z.infer<typeof IntakeEnvSchema>): Pick<AwsIntakeDeps, 'workOf' | 'routingReady'> {
  if (env.HOIST_CONFIG_SHA256 === undefined) {
    logger.warn('no promotion config shipped; events are queued by source, not by GitOps branch', { configPath: env.HOIST_CONFIG_PATH });
    return { routingReady: async () => undefined };
  }
  const config = readShippedConfig(env.HOIST_CONFIG_PATH, env.HOIST_CONFIG_SHA256);
  let route: ((event: HoistEvent) => Work) | undefined;
  return {
    workOf: (event) => {
      if (route === undefined) throw new Error('the routing was used before it was loaded (wrap the handler with afterRouting)');
      return route(event);
    },
    routingReady: loadOnce(async () => {
      const { workOf } = await import('../core/promotion/triggers');
      route = (event) => workOf(config, event);
    }),
  };
}
