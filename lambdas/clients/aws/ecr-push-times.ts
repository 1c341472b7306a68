import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { RegistryPushTimes } from '../../core/ports';

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>` */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

/** ECR's answers for a tag or repository that is not there: the tag is simply unknown. */
const NOT_THERE = new Set(['ImageNotFoundException', 'RepositoryNotFoundException']);

/**
 * Push times from Amazon ECR (`DescribeImages` → `imagePushedAt`), for tags
 * Hoist never saw in an event. Images of other registries are not ECR's to
 * answer: undefined. Any other error propagates, so the promotion is retried
 * rather than decided without the push time.
 */
export class EcrPushTimes implements RegistryPushTimes {
  private readonly clients = new Map<string, ECRClient>();
  private readonly allowed: ReadonlySet<string> | undefined;

  /**
   * @param repositories the images (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`) Hoist may ask
   *   about, as its role allows; others have no push time from ECR. @default any ECR image
   */
  constructor(
    private readonly clientFor: (region: string) => ECRClient = (region) => new ECRClient({ region }),
    repositories?: readonly string[],
  ) {
    this.allowed = repositories === undefined ? undefined : new Set(repositories);
  }

  async pushedAt(image: string, tag: string): Promise<string | undefined> {
    const match = ECR_IMAGE.exec(image);
    if (match === null || (this.allowed !== undefined && !this.allowed.has(image))) return undefined;
    const [, registryId, region, repositoryName] = match as unknown as [string, string, string, string];
    let client = this.clients.get(region);
    if (client === undefined) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
    try {
      const answer = await client.send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [{ imageTag: tag }] }));
      return answer.imageDetails?.[0]?.imagePushedAt?.toISOString();
    } catch (error) {
      if (NOT_THERE.has((error as { name?: string }).name ?? '')) return undefined;
      throw error;
    }
  }
}
