import { describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import { InProcessQueue } from '../../../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../../../lambdas/clients/local/memory-delivery-ledger';
import { createReconcileHandler, ReconcileIncompleteError } from '../../../lambdas/reconcile/create-reconcile-handler';
import { digestOf } from '../../support/ecr-pushes';
import { StaticImageLister } from '../../support/static-image-lister';

const API = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const WORKER = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/worker';
const image = { tag: '1.4.3', digest: digestOf('api 1.4.3'), pushedAt: '2026-11-16T01:54:34.000Z' };

/** What EventBridge Scheduler sends a Lambda target without input: `{}`. */
const SCHEDULED = {};

function deps() {
  const queue = new InProcessQueue(async () => undefined);
  return { ledger: new MemoryDeliveryLedger(), queue, log: { warn: () => undefined }, now: () => new Date('2026-11-16T02:00:00Z') };
}

describe('reconcile function', () => {
  it('answers with the counts of the run', async () => {
    const handler = createReconcileHandler({ repositories: [API], lister: new StaticImageLister({ [API]: [image] }) }, deps());
    expect(await handler(SCHEDULED, localLambdaContext('hoist-reconcile'))).toEqual({
      listed: 1,
      older: 0,
      queued: 1,
      alreadySeen: 0,
      ignored: [],
      failed: [],
    });
  });

  it('fails the invocation when a repository could not be listed, after queueing the others', async () => {
    const intake = deps();
    const handler = createReconcileHandler({ repositories: [WORKER, API], lister: new StaticImageLister({ [API]: [image] }) }, intake);
    const error = await handler(SCHEDULED, localLambdaContext('hoist-reconcile')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReconcileIncompleteError);
    expect((error as ReconcileIncompleteError).message).toMatch(/^could not list .*team\/worker \(.*does not exist in the registry\)$/);
    expect((error as ReconcileIncompleteError).result.queued).toBe(1);
    expect(await intake.ledger.claim(`ecr:${API}:1.4.3@${image.digest}`, intake.now())).toBe('duplicate');
  });
});
