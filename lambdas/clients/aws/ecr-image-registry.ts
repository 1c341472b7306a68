import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ImageRegistry, ImageTagInfo } from '../../core/ports';
import { TerminalError, UnavailableError } from '../../shared/errors';
import { EcrImageLookup } from './ecr-image-lookup';

/** Client-side errors that pass on their own: throttling and clock or session expiry. */
const RETRYABLE_CLIENT_ERRORS = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'ExpiredTokenException',
  'RequestExpired',
]);

/**
 * Whether a tag exists in Amazon ECR, with its digest and push time
 * (`DescribeImages` → `imageDigest`, `imagePushedAt`). A tag or repository ECR
 * does not have is undefined. A refusal on the caller's side (access denied,
 * invalid parameter) is a TerminalError; throttling, server errors and
 * network failures are UnavailableError, to be retried.
 */
export class EcrImageRegistry implements ImageRegistry {
  private readonly lookup: EcrImageLookup;

  /**
   * @param repositories the images (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`) Hoist may ask
   *   about, as its role allows; asking about another one is a TerminalError. @default any ECR image
   */
  constructor(clientFor?: (region: string) => ECRClient, repositories?: readonly string[]) {
    this.lookup = new EcrImageLookup(clientFor, repositories);
  }

  async resolve(image: string, tag: string): Promise<ImageTagInfo | undefined> {
    const name = this.lookup.allowedImage(image);
    if (name === undefined) {
      throw new TerminalError(`${image} is not an ECR image among the repositories Hoist may describe`);
    }
    let detail: Awaited<ReturnType<EcrImageLookup['describe']>>;
    try {
      detail = await this.lookup.describe(name, tag);
    } catch (error) {
      const { name: errorName = 'Error', message = String(error), $fault } = error as { name?: string; message?: string; $fault?: string };
      const text = `ECR could not describe ${image}:${tag}: ${errorName}: ${message}`;
      if ($fault === 'client' && !RETRYABLE_CLIENT_ERRORS.has(errorName)) throw new TerminalError(text, { cause: error });
      throw new UnavailableError(text, { cause: error });
    }
    if (detail?.imageDigest === undefined) return undefined;
    const pushedAt = detail.imagePushedAt?.toISOString();
    return pushedAt === undefined ? { digest: detail.imageDigest } : { digest: detail.imageDigest, pushedAt };
  }
}
