import { readEnv } from '../shared/env';
import { loadedWithFirstEvent } from '../shared/loaded-with-first-event';
import { awsSecretsReconcileDeps, SecretIntakeEnvSchema } from '../wiring/lambda-secret-intake';

const { input, deps } = awsSecretsReconcileDeps(readEnv(SecretIntakeEnvSchema));

/* The reconcile checks what it queues with zod's classic schema of a secret change: it loads with the first run. */
export const handler = loadedWithFirstEvent(async () => (await import('./create-secrets-reconcile-handler')).createSecretsReconcileHandler(input, deps));
