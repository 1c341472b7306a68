import { readEnv } from '../shared/env';
import { awsSecretIntakeDeps, SecretIntakeEnvSchema } from '../wiring/lambda-secret-intake';
import { createSecretEventHandler } from './create-secret-event-handler';

export const handler = createSecretEventHandler(awsSecretIntakeDeps(readEnv(SecretIntakeEnvSchema)));
