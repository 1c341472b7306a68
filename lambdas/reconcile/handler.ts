import { readEnv } from '../shared/env';
import { awsReconcileDeps, ReconcileEnvSchema } from '../wiring/lambda-reconcile';
import { createReconcileHandler } from './create-reconcile-handler';

const { input, deps } = awsReconcileDeps(readEnv(ReconcileEnvSchema));

export const handler = createReconcileHandler(input, deps);
