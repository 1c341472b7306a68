import * as z from 'zod/mini';
import { EcrImageLister } from '../clients/aws/ecr-image-lister';
import { DEFAULT_RECONCILE_NEWEST } from '../core/intake/intake-defaults';
import type { ReconcileEcrInput } from '../core/intake/reconcile-ecr';
import { PositiveIntText } from '../shared/env';
import { type AwsIntakeDeps, awsIntakeDeps, IntakeEnvSchema } from './lambda-intake';

/** The variables of the reconcile function: those of the intake functions, the watched repositories and how many images of each. */
export const ReconcileEnvSchema = z.extend(IntakeEnvSchema, {
  /** Comma-separated image names, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: the repositories its role may describe. */
  HOIST_ECR_REPOSITORIES: z.pipe(
    z.pipe(
      z.string().check(z.minLength(1)),
      z.transform((text: string) => text.split(',').map((name) => name.trim())),
    ),
    z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  ),
  HOIST_RECONCILE_NEWEST: z._default(PositiveIntText, DEFAULT_RECONCILE_NEWEST),
});

/** The reconcile function's object graph: the intake's ledger, queue and routing, and ECR's image listing. */
export function awsReconcileDeps(env: z.infer<typeof ReconcileEnvSchema>): {
  readonly input: ReconcileEcrInput;
  readonly deps: AwsIntakeDeps;
} {
  return {
    input: { repositories: env.HOIST_ECR_REPOSITORIES, lister: new EcrImageLister(), newest: env.HOIST_RECONCILE_NEWEST },
    deps: awsIntakeDeps(env),
  };
}
