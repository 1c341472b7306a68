import { readEnv } from '../shared/env';
import { awsIntakeDeps, IntakeEnvSchema } from '../wiring/lambda-intake';
import { createEcrEventHandler } from './create-ecr-event-handler';

export const handler = createEcrEventHandler(awsIntakeDeps(readEnv(IntakeEnvSchema)));
