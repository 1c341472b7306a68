import { DescribeImagesCommand, ECRClient, ECRServiceException, ImageNotFoundException, InvalidParameterException, ServerException } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrImageRegistry } from '../../../../lambdas/clients/aws/ecr-image-registry';
import { TerminalError, UnavailableError } from '../../../../lambdas/shared/errors';
import { rejectionOf } from '../../../support/rejection-of';

/*
 * ECR through aws-sdk-client-mock, answering as ECR's DescribeImages API
 * reference documents: `imageDetails[]` with `imageDigest` and
 * `imagePushedAt` for a found tag, ImageNotFoundException for a tag the
 * repository does not have, and the service's error shapes (`$fault`
 * `client` or `server`) for refusals and outages.
 */
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc';
const DIGEST = 'sha256:3f0ad5a2a1ba6c2b1c0e4a4b3ac1c2d65bb0b62a1f7d4cfe7e08e3a6b1d0a9c1';

describe('ECR image registry', () => {
  const ecr = mockClient(ECRClient);
  afterEach(() => ecr.reset());

  it('gives the digest and push time of a tag ECR has, asking the account and region the image names', async () => {
    ecr.on(DescribeImagesCommand).resolves({
      imageDetails: [{ imageDigest: DIGEST, imageTags: ['sha-eac743d'], imagePushedAt: new Date('2026-11-23T09:00:00Z') }],
    });
    const registry = new EcrImageRegistry((region) => new ECRClient({ region }));
    expect(await registry.resolve(IMAGE, 'sha-eac743d')).toEqual({ digest: DIGEST, pushedAt: '2026-11-23T09:00:00.000Z' });
    expect(ecr.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input)).toEqual([
      { registryId: '123456789012', repositoryName: 'team/svc', imageIds: [{ imageTag: 'sha-eac743d' }] },
    ]);
  });

  it('answers undefined for a tag ECR does not have (yet)', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: "The image with imageId {imageTag:'sha-0000000'} does not exist", $metadata: {} }));
    const registry = new EcrImageRegistry((region) => new ECRClient({ region }));
    expect(await registry.resolve(IMAGE, 'sha-0000000')).toBeUndefined();
  });

  it('refuses, without asking, images of other registries and ECR repositories outside those Hoist may describe', async () => {
    const registry = new EcrImageRegistry((region) => new ECRClient({ region }), [IMAGE]);
    expect(await rejectionOf(registry.resolve('ghcr.io/acme/api', 'x'))).toBeInstanceOf(TerminalError);
    const error = await rejectionOf(registry.resolve('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/other', 'x'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toContain('team/other');
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  it('takes a refusal on the caller’s side as terminal', async () => {
    const registry = new EcrImageRegistry((region) => new ECRClient({ region }));
    ecr.on(DescribeImagesCommand).rejects(new InvalidParameterException({ message: 'Invalid parameter at imageTag', $metadata: {} }));
    expect(await rejectionOf(registry.resolve(IMAGE, 'x'))).toBeInstanceOf(TerminalError);
    ecr.on(DescribeImagesCommand).rejects(
      new ECRServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'User: arn:aws:sts::123456789012:assumed-role/hoist/fn is not authorized to perform: ecr:DescribeImages',
        $metadata: {},
      }),
    );
    const error = await rejectionOf(registry.resolve(IMAGE, 'x'));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toContain('AccessDeniedException');
  });

  it('takes server errors, throttling and network failures as unavailable, to be retried', async () => {
    const registry = new EcrImageRegistry((region) => new ECRClient({ region }));
    ecr.on(DescribeImagesCommand).rejects(new ServerException({ message: 'internal', $metadata: {} }));
    expect(await rejectionOf(registry.resolve(IMAGE, 'x'))).toBeInstanceOf(UnavailableError);
    ecr.on(DescribeImagesCommand).rejects(new ECRServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} }));
    expect(await rejectionOf(registry.resolve(IMAGE, 'x'))).toBeInstanceOf(UnavailableError);
    ecr.on(DescribeImagesCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(await rejectionOf(registry.resolve(IMAGE, 'x'))).toBeInstanceOf(UnavailableError);
  });
});
