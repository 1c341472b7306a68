import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { readEnv } from '../../../lambdas/shared/env';
import { IntakeEnvSchema, PromotionsEnvSchema, WebhookEnvSchema } from '../../../lambdas/wiring/lambda-intake';
import { PromoterEnvSchema } from '../../../lambdas/wiring/lambda-promoter';
import { ReconcileEnvSchema } from '../../../lambdas/wiring/lambda-reconcile';

describe('env: read once, fail fast', () => {
  it('names every missing or malformed variable', () => {
    expect(() => readEnv(IntakeEnvSchema, { HOIST_EVENT_QUEUE_URL: 'not a url' })).toThrowError(
      /^invalid environment: HOIST_EVENT_QUEUE_URL: .*; HOIST_TABLE_NAME: /,
    );
  });

  it("says why in zod's English messages, though only zod/mini is loaded", () => {
    // This file imports no classic zod, which would set the English messages itself.
    expect(() =>
      readEnv(IntakeEnvSchema, {
        HOIST_EVENT_QUEUE_URL: 'not a url',
        HOIST_TABLE_NAME: 't',
        HOIST_DELIVERY_TTL_SECONDS: '1.5',
      }),
    ).toThrowError('invalid environment: HOIST_EVENT_QUEUE_URL: Invalid URL; HOIST_DELIVERY_TTL_SECONDS: Invalid input: expected int, received number');
  });

  it('names a missing shipped-config digest with what it should be', () => {
    expect(() =>
      readEnv(PromoterEnvSchema, {
        HOIST_TABLE_NAME: 't',
        HOIST_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq.fifo',
        HOIST_EVENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo',
        HOIST_CONFIG_SHA256: 'abc',
      }),
    ).toThrowError('invalid environment: HOIST_CONFIG_SHA256: a SHA-256 in hex, set by the stack');
  });

  it('applies defaults and coerces numbers', () => {
    const env = readEnv(z.extend(IntakeEnvSchema, { N: z._default(z.coerce.number(), 3) }), {
      HOIST_EVENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo',
      HOIST_TABLE_NAME: 't',
      HOIST_DELIVERY_TTL_SECONDS: '60',
    });
    expect(env).toMatchObject({ HOIST_DELIVERY_TTL_SECONDS: 60, N: 3 });
  });

  it('splits and defaults lists', () => {
    const base = {
      HOIST_TABLE_NAME: 't',
      HOIST_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq.fifo',
      HOIST_EVENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo',
      HOIST_CONFIG_SHA256: 'a'.repeat(64),
    };
    expect(readEnv(PromoterEnvSchema, base).HOIST_ECR_REPOSITORIES).toEqual([]);
    expect(readEnv(PromoterEnvSchema, { ...base, HOIST_ECR_REPOSITORIES: 'a/b,,c/d' }).HOIST_ECR_REPOSITORIES).toEqual(['a/b', 'c/d']);
  });
});

describe('env: the intake functions apply their defaults at cold start', () => {
  const intake = { HOIST_EVENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo', HOIST_TABLE_NAME: 't' };

  it('takes a 1 MiB body limit and a 10-image reconcile unless told otherwise, and checks them when told', () => {
    expect(readEnv(WebhookEnvSchema, intake).HOIST_MAX_BODY_BYTES).toBe(1024 * 1024);
    expect(readEnv(PromotionsEnvSchema, { ...intake, HOIST_PROMOTION_SECRET_ID: 's' }).HOIST_MAX_BODY_BYTES).toBe(1024 * 1024);
    expect(readEnv(WebhookEnvSchema, { ...intake, HOIST_MAX_BODY_BYTES: '2048' }).HOIST_MAX_BODY_BYTES).toBe(2048);
    const repositories = { ...intake, HOIST_ECR_REPOSITORIES: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api' };
    expect(readEnv(ReconcileEnvSchema, repositories).HOIST_RECONCILE_NEWEST).toBe(10);
    expect(() => readEnv(WebhookEnvSchema, { ...intake, HOIST_MAX_BODY_BYTES: '0' })).toThrowError(/HOIST_MAX_BODY_BYTES: Too small/);
    expect(() => readEnv(ReconcileEnvSchema, { ...repositories, HOIST_RECONCILE_NEWEST: 'ten' })).toThrowError(/HOIST_RECONCILE_NEWEST: /);
  });
});
