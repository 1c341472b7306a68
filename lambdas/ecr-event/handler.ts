import { readEnv } from '../shared/env';
import { afterRouting, awsIntakeDeps, IntakeEnvSchema } from '../wiring/lambda-intake';
import { createEcrEventHandler } from './create-ecr-event-handler';

const intake = awsIntakeDeps(readEnv(IntakeEnvSchema));

export const handler = afterRouting(intake, createEcrEventHandler(intake));
