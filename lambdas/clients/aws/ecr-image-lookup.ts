import { DescribeImagesCommand, ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import { type EcrImageName, parseEcrImageName } from './ecr-image-name';

/** ECR's answers for a tag or repository that is not there: the tag is simply unknown. */
const NOT_THERE = new Set(['ImageNotFoundException', 'RepositoryNotFoundException']);

/**
 * `DescribeImages` for one tag of the ECR images Hoist may ask about: one
 * client per region, and the allowed-repositories restriction that mirrors
 * what Hoist's role may describe. Shared by the adapters that read ECR.
 */
export class EcrImageLookup {
  private readonly clients = new Map<string, ECRClient>();
  private readonly allowed: ReadonlySet<string> | undefined;

  /**
   * @param repositories the images (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`) Hoist may ask
   *   about, as its role allows. @default any ECR image
   */
  constructor(
    private readonly clientFor: (region: string) => ECRClient = (region) => new ECRClient({ region }),
    repositories?: readonly string[],
  ) {
    this.allowed = repositories === undefined ? undefined : new Set(repositories);
  }

  /** The parts of `image` when it is an ECR image Hoist may ask about; undefined otherwise. */
  allowedImage(image: string): EcrImageName | undefined {
    const name = parseEcrImageName(image);
    return name === undefined || (this.allowed !== undefined && !this.allowed.has(image)) ? undefined : name;
  }

  /** ECR's details of `tag`; undefined when ECR answers that the tag or the repository is not there. Other errors propagate. */
  async describe(image: EcrImageName, tag: string): Promise<ImageDetail | undefined> {
    let client = this.clients.get(image.region);
    if (client === undefined) {
      client = this.clientFor(image.region);
      this.clients.set(image.region, client);
    }
    try {
      const answer = await client.send(
        new DescribeImagesCommand({ registryId: image.registryId, repositoryName: image.repositoryName, imageIds: [{ imageTag: tag }] }),
      );
      return answer.imageDetails?.[0];
    } catch (error) {
      if (NOT_THERE.has((error as { name?: string }).name ?? '')) return undefined;
      throw error;
    }
  }
}
