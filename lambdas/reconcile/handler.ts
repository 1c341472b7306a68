import { readEnv } from '../shared/env';
import { afterRouting } from '../wiring/lambda-intake';
import { awsReconcileDeps, ReconcileEnvSchema } from '../wiring/lambda-reconcile';
import { createReconcileHandler } from './create-reconcile-handler';

const { input, deps } = awsReconcileDeps(readEnv(ReconcileEnvSchema));

export const handler = afterRouting(deps, createReconcileHandler(input, deps));
