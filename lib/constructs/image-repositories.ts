import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

export interface ImageRepositoriesProps {
  readonly names: readonly string[];
  /** Tagged images kept per repository. @default 100 */
  readonly keepLastImages?: number;
  /** Days before untagged images expire. @default 14 */
  readonly untaggedExpiryDays?: number;
}

/**
 * ECR repositories for the configured services: scan on push, immutable tags
 * (a tag names one image forever, which promotions rely on), KMS encryption,
 * and lifecycle rules for untagged and old images.
 */
export class ImageRepositories extends Construct {
  readonly repositories = new Map<string, ecr.Repository>();

  constructor(scope: Construct, id: string, props: ImageRepositoriesProps) {
    super(scope, id);
    const keepLastImages = props.keepLastImages ?? 100;
    const untaggedExpiryDays = props.untaggedExpiryDays ?? 14;
    for (const name of new Set(props.names)) {
      const repository = new ecr.Repository(this, name.replace(/[^A-Za-z0-9]/g, '-'), {
        repositoryName: name,
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.KMS,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          { rulePriority: 1, description: 'expire untagged images', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(untaggedExpiryDays) },
          { rulePriority: 2, description: `keep the last ${keepLastImages} images`, tagStatus: ecr.TagStatus.ANY, maxImageCount: keepLastImages },
        ],
      });
      this.repositories.set(name, repository);
    }
  }
}
