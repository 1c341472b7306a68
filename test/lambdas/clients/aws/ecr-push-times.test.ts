import { DescribeImagesCommand, ECRClient, ImageNotFoundException, ServerException } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrPushTimes } from '../../../../lambdas/clients/aws/ecr-push-times';

/*
 * ECR through aws-sdk-client-mock, answering as ECR's DescribeImages API
 * reference documents: `imageDetails[].imagePushedAt` for a found tag,
 * ImageNotFoundException for a tag the repository does not have.
 */
describe('ECR push times', () => {
  const ecr = mockClient(ECRClient);
  afterEach(() => ecr.reset());

  it('asks the account and region the image names, for exactly that tag', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ['sha-eac743d'], imagePushedAt: new Date('2026-11-23T09:00:00Z') }] });
    const times = new EcrPushTimes((region) => new ECRClient({ region }));
    expect(await times.pushedAt('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc', 'sha-eac743d')).toBe('2026-11-23T09:00:00.000Z');
    expect(ecr.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input)).toEqual([
      { registryId: '123456789012', repositoryName: 'team/svc', imageIds: [{ imageTag: 'sha-eac743d' }] },
    ]);
  });

  it('knows nothing of a tag ECR does not have, nor of images in other registries', async () => {
    ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));
    const times = new EcrPushTimes((region) => new ECRClient({ region }));
    expect(await times.pushedAt('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc', 'sha-0000000')).toBeUndefined();
    expect(await times.pushedAt('ghcr.io/acme/api', 'sha-0000000')).toBeUndefined();
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(1);
  });

  it('asks only about the repositories its role may describe', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imagePushedAt: new Date('2026-11-23T09:00:00Z') }] });
    const times = new EcrPushTimes((region) => new ECRClient({ region }), ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc']);
    expect(await times.pushedAt('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/other', 'x')).toBeUndefined();
    expect(await times.pushedAt('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc', 'x')).toBe('2026-11-23T09:00:00.000Z');
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(1);
  });

  it('lets any other error through, so the promotion is retried rather than decided blind', async () => {
    ecr.on(DescribeImagesCommand).rejects(new ServerException({ message: 'internal', $metadata: {} }));
    const times = new EcrPushTimes((region) => new ECRClient({ region }));
    await expect(times.pushedAt('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc', 'x')).rejects.toThrowError('internal');
  });
});
