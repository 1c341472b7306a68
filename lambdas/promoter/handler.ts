import { wireLambdaPromoter } from '../wiring/lambda-promoter';
import { createPromoterHandler } from './create-promoter-handler';

/** Built once per Lambda instance; every invocation reuses the clients and caches. */
export const handler = createPromoterHandler(wireLambdaPromoter());
