import { readEnv } from '../shared/env';
import { awsSecretsReconcileDeps, SecretIntakeEnvSchema } from '../wiring/lambda-secret-intake';
import { createSecretsReconcileHandler } from './create-secrets-reconcile-handler';

const { input, deps } = awsSecretsReconcileDeps(readEnv(SecretIntakeEnvSchema));

export const handler = createSecretsReconcileHandler(input, deps);
