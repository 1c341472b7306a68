import { readEnv } from '../shared/env';
import { afterRouting, awsIntakeDeps, IntakeEnvSchema } from '../wiring/lambda-intake';

const intake = awsIntakeDeps(readEnv(IntakeEnvSchema));

export const handler = afterRouting(intake, async () => (await import('./create-ecr-event-handler')).createEcrEventHandler(intake));
