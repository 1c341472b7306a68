import type { ECRClient } from '@aws-sdk/client-ecr';
import type { RegistryPushTimes } from '../../core/ports';
import { EcrImageLookup } from './ecr-image-lookup';

/**
 * Push times from Amazon ECR (`DescribeImages` → `imagePushedAt`), for tags
 * Hoist never saw in an event. Images of other registries are not ECR's to
 * answer: undefined. Any other error propagates, so the promotion is retried
 * rather than decided without the push time.
 */
export class EcrPushTimes implements RegistryPushTimes {
  private readonly lookup: EcrImageLookup;

  /**
   * @param repositories the images (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`) Hoist may ask
   *   about, as its role allows; others have no push time from ECR. @default any ECR image
   */
  constructor(clientFor?: (region: string) => ECRClient, repositories?: readonly string[]) {
    this.lookup = new EcrImageLookup(clientFor, repositories);
  }

  async pushedAt(image: string, tag: string): Promise<string | undefined> {
    const name = this.lookup.allowedImage(image);
    if (name === undefined) return undefined;
    return (await this.lookup.describe(name, tag))?.imagePushedAt?.toISOString();
  }
}
