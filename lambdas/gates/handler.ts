import { wireLambdaGates } from '../wiring/lambda-gates';
import { createGatesHandler } from './create-gates-handler';

/** Built once per Lambda instance; every invocation reuses the clients and caches. */
export const handler = createGatesHandler(wireLambdaGates());
