/** The parts of an Amazon ECR image name that `DescribeImages` takes. */
export interface EcrImageName {
  /** The account that owns the registry (`registryId`). */
  readonly registryId: string;
  readonly region: string;
  readonly repositoryName: string;
}

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>` */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;

/** The account, region and repository of an ECR image name; undefined for an image of any other registry. */
export function parseEcrImageName(image: string): EcrImageName | undefined {
  const match = ECR_IMAGE.exec(image);
  if (match === null) return undefined;
  const [, registryId, region, repositoryName] = match as unknown as [string, string, string, string];
  return { registryId, region, repositoryName };
}
