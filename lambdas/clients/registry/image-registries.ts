import type { ImageRegistry, ImageTagInfo } from '../../core/ports';
import { parseEcrImageName } from '../aws/ecr-image-name';

export interface ImageRegistriesProps {
  /** Asks about Amazon ECR images (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`). */
  readonly ecr: ImageRegistry;
  /** Asks about every other image, through the OCI distribution API. */
  readonly oci: ImageRegistry;
}

/**
 * One ImageRegistry for every image: ECR images go to the ECR adapter
 * (`DescribeImages`, with the push time and Hoist's IAM role instead of
 * registry credentials), all others to the OCI distribution adapter.
 */
export class ImageRegistries implements ImageRegistry {
  constructor(private readonly props: ImageRegistriesProps) {}

  resolve(image: string, tag: string): Promise<ImageTagInfo | undefined> {
    return (parseEcrImageName(image) === undefined ? this.props.oci : this.props.ecr).resolve(image, tag);
  }
}
