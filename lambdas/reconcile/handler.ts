import { readEnv } from '../shared/env';
import { afterRouting } from '../wiring/lambda-intake';
import { awsReconcileDeps, ReconcileEnvSchema } from '../wiring/lambda-reconcile';

const { input, deps } = awsReconcileDeps(readEnv(ReconcileEnvSchema));

/* The handler parses with zod's classic schemas (the intake core): it loads with the first run. */
export const handler = afterRouting(deps, async () => {
  const { createReconcileHandler } = await import('./create-reconcile-handler');
  return createReconcileHandler(input, deps);
});
