import { awsIntakeDeps, IntakeEnvSchema } from '../clients/aws/intake-deps';
import { readEnv } from '../shared/env';
import { createEcrEventHandler } from './create-ecr-event-handler';

export const handler = createEcrEventHandler(awsIntakeDeps(readEnv(IntakeEnvSchema)));
