import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrImageRegistry } from '../../../../lambdas/clients/aws/ecr-image-registry';
import { ImageRegistries } from '../../../../lambdas/clients/registry/image-registries';
import { OciImageRegistry } from '../../../../lambdas/clients/registry/oci-image-registry';
import { type FakeOciRegistry, startFakeOciRegistry } from '../../../support/fake-oci-registry';

/*
 * Both real adapters behind the composite: ECR through aws-sdk-client-mock
 * (DescribeImages as its API reference documents), every other registry as
 * test/support/fake-oci-registry.ts, a loopback distribution registry.
 */
describe('image registries', () => {
  const ecr = mockClient(ECRClient);
  let registry: FakeOciRegistry | undefined;
  afterEach(async () => {
    ecr.reset();
    await registry?.close();
  });

  it('asks ECR about ECR images and the OCI registry about all others', async () => {
    registry = await startFakeOciRegistry({ publicRepositories: ['acme/api'] });
    const ociDigest = registry.push('acme/api', 'sha-eac743d');
    const ecrDigest = 'sha256:9b2c6f1e7a4d3c2b1a0f9e8d7c6b5a49382716a5b4c3d2e1f0a9b8c7d6e5f4a3';
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: ecrDigest, imagePushedAt: new Date('2026-11-23T09:00:00Z') }] });
    const registries = new ImageRegistries({
      ecr: new EcrImageRegistry((region) => new ECRClient({ region })),
      oci: new OciImageRegistry({ plainHttp: [registry.host] }),
    });

    expect(await registries.resolve('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc', 'sha-eac743d')).toEqual({
      digest: ecrDigest,
      pushedAt: '2026-11-23T09:00:00.000Z',
    });
    expect(registry.requests).toEqual([]);

    expect(await registries.resolve(`${registry.host}/acme/api`, 'sha-eac743d')).toEqual({ digest: ociDigest });
    expect(ecr.commandCalls(DescribeImagesCommand)).toHaveLength(1);
  });
});
