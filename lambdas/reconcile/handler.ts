import { readEnv } from '../shared/env';
import { afterRouting } from '../wiring/lambda-intake';
import { awsReconcileDeps, ReconcileEnvSchema } from '../wiring/lambda-reconcile';

const { input, deps } = awsReconcileDeps(readEnv(ReconcileEnvSchema));

/* The handler parses with zod's classic schemas (the intake core): it loads with the first run. */
export const handler = afterRouting(deps, async () => {
  const [{ createReconcileHandler }, { DEFAULT_RECONCILE_NEWEST }] = await Promise.all([
    import('./create-reconcile-handler'),
    import('../core/intake/reconcile-ecr'),
  ]);
  return createReconcileHandler({ ...input, newest: input.newest ?? DEFAULT_RECONCILE_NEWEST }, deps);
});
