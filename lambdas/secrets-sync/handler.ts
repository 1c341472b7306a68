import { wireLambdaSecretsSync } from '../wiring/lambda-secrets-sync';
import { createSecretsSyncHandler } from './create-secrets-sync-handler';

/** Built once per Lambda instance; every invocation reuses the clients and caches. */
export const handler = createSecretsSyncHandler(wireLambdaSecretsSync());
