import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { readEnv } from '../../../lambdas/shared/env';
import { IntakeEnvSchema } from '../../../lambdas/wiring/lambda-intake';

describe('env: read once, fail fast', () => {
  it('names every missing or malformed variable', () => {
    expect(() => readEnv(IntakeEnvSchema, { HOIST_EVENT_QUEUE_URL: 'not a url' })).toThrowError(
      /^invalid environment: HOIST_EVENT_QUEUE_URL: .*; HOIST_TABLE_NAME: /,
    );
  });

  it('applies defaults and coerces numbers', () => {
    const env = readEnv(IntakeEnvSchema.extend({ N: z.coerce.number().default(3) }), {
      HOIST_EVENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo',
      HOIST_TABLE_NAME: 't',
      HOIST_DELIVERY_TTL_SECONDS: '60',
    });
    expect(env).toMatchObject({ HOIST_DELIVERY_TTL_SECONDS: 60, N: 3 });
  });
});
