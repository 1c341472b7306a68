import { readEnv } from '../shared/env';
import { loadedWithFirstEvent } from '../shared/loaded-with-first-event';
import { awsSecretIntakeDeps, SecretIntakeEnvSchema } from '../wiring/lambda-secret-intake';

const deps = awsSecretIntakeDeps(readEnv(SecretIntakeEnvSchema));

/* The handler parses CloudTrail's event with zod's classic schemas: it loads with the first event. */
export const handler = loadedWithFirstEvent(async () => (await import('./create-secret-event-handler')).createSecretEventHandler(deps));
