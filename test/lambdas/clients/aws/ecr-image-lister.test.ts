import {
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  type DescribeImagesCommandOutput,
  ECRClient,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EcrImageLister } from '../../../../lambdas/clients/aws/ecr-image-lister';
import { digestOf } from '../../../support/ecr-pushes';

/*
 * ECR through aws-sdk-client-mock, answering as ECR's DescribeImages API
 * reference documents: `imageDetails[]` with `imageTags`, `imageDigest` and
 * `imagePushedAt`, pages joined by `nextToken` (at most `maxResults` each),
 * in no particular order, and RepositoryNotFoundException for a repository
 * the registry does not have.
 */
const API = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const at = (minute: number) => new Date(Date.UTC(2026, 10, 16, 1, minute));

describe('ECR image lister', () => {
  const ecr = mockClient(ECRClient);
  afterEach(() => ecr.reset());

  it('reads every page of tagged images, one entry per tag, newest push first', async () => {
    const pages: Record<string, DescribeImagesCommandOutput> = {
      first: {
        imageDetails: [
          { imageDigest: digestOf('a'), imageTags: ['1.0.0'], imagePushedAt: at(1) },
          { imageDigest: digestOf('c'), imageTags: ['1.0.2', 'latest'], imagePushedAt: at(3) },
        ],
        nextToken: 'page-2',
        $metadata: {},
      },
      'page-2': { imageDetails: [{ imageDigest: digestOf('b'), imageTags: ['1.0.1'], imagePushedAt: at(2) }], $metadata: {} },
    };
    // Inputs as sent: the SDK's paginator reuses one input object between pages.
    const sent: DescribeImagesCommandInput[] = [];
    ecr.on(DescribeImagesCommand).callsFake((input: DescribeImagesCommandInput) => {
      sent.push(structuredClone(input));
      return pages[input.nextToken ?? 'first'];
    });
    const lister = new EcrImageLister((region) => new ECRClient({ region }));

    expect(await lister.listTagged(API)).toEqual([
      { tag: '1.0.2', digest: digestOf('c'), pushedAt: at(3).toISOString() },
      { tag: 'latest', digest: digestOf('c'), pushedAt: at(3).toISOString() },
      { tag: '1.0.1', digest: digestOf('b'), pushedAt: at(2).toISOString() },
      { tag: '1.0.0', digest: digestOf('a'), pushedAt: at(1).toISOString() },
    ]);
    expect(sent).toEqual([
      { registryId: '123456789012', repositoryName: 'team/api', filter: { tagStatus: 'TAGGED' }, maxResults: 1000 },
      { registryId: '123456789012', repositoryName: 'team/api', filter: { tagStatus: 'TAGGED' }, maxResults: 1000, nextToken: 'page-2' },
    ]);
  });

  it('asks the region the image names', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [] });
    const regions: string[] = [];
    const lister = new EcrImageLister((region) => {
      regions.push(region);
      return new ECRClient({ region });
    });
    await lister.listTagged('210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/team/api');
    await lister.listTagged('210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/team/worker');
    expect(regions).toEqual(['cn-north-1']);
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toMatchObject({ registryId: '210987654321', repositoryName: 'team/api' });
  });

  it('leaves out an entry with no digest or push time', async () => {
    ecr.on(DescribeImagesCommand).resolves({
      imageDetails: [
        { imageTags: ['x'], imagePushedAt: at(1) },
        { imageDigest: digestOf('y'), imageTags: ['y'] },
      ],
    });
    expect(await new EcrImageLister((region) => new ECRClient({ region })).listTagged(API)).toEqual([]);
  });

  it("lets ECR's errors through, and refuses a name that is not an ECR repository", async () => {
    ecr.on(DescribeImagesCommand).rejects(new RepositoryNotFoundException({ message: "The repository with name 'team/api' does not exist", $metadata: {} }));
    const lister = new EcrImageLister((region) => new ECRClient({ region }));
    await expect(lister.listTagged(API)).rejects.toThrowError(/does not exist/);
    await expect(lister.listTagged('ghcr.io/acme/api')).rejects.toThrowError(/not an ECR repository/);
  });
});
