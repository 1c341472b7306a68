import { type DescribeImagesCommandOutput, ECRClient, paginateDescribeImages } from '@aws-sdk/client-ecr';
import type { ListedImage, RegistryImageLister } from '../../core/ports';
import { parseEcrImageName } from './ecr-image-name';

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>` */
/** DescribeImages answers at most 1,000 images a page. */
const PAGE_SIZE = 1000;

type EcrImageDetail = NonNullable<DescribeImagesCommandOutput['imageDetails']>[number];

/**
 * The tagged images of an ECR repository (`DescribeImages` with
 * `tagStatus: TAGGED`, every page), one entry per tag, newest push first.
 * ECR pages in no particular order, so the whole repository is read before
 * anything is chosen.
 */
export class EcrImageLister implements RegistryImageLister {
  private readonly clients = new Map<string, ECRClient>();

  constructor(private readonly clientFor: (region: string) => ECRClient = (region) => new ECRClient({ region })) {}

  async listTagged(image: string): Promise<ListedImage[]> {
    const name = parseEcrImageName(image);
    if (name === undefined) throw new Error(`'${image}' is not an ECR repository (<account>.dkr.ecr.<region>.amazonaws.com/<name>)`);
    const { registryId, region, repositoryName } = name;
    const pages = paginateDescribeImages({ client: this.client(region), pageSize: PAGE_SIZE }, { registryId, repositoryName, filter: { tagStatus: 'TAGGED' } });
    const listed: ListedImage[] = [];
    for await (const page of pages) {
      for (const detail of page.imageDetails ?? []) listed.push(...listedOf(detail));
    }
    return listed.sort((a, b) => Date.parse(b.pushedAt) - Date.parse(a.pushedAt));
  }

  private client(region: string): ECRClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
    return client;
  }
}

/** One entry per tag; an image without a digest or push time has nothing to promote by. */
function listedOf(detail: EcrImageDetail): ListedImage[] {
  const { imageDigest, imagePushedAt } = detail;
  if (imageDigest === undefined || imagePushedAt === undefined) return [];
  const pushedAt = imagePushedAt.toISOString();
  return (detail.imageTags ?? []).map((tag) => ({ tag, digest: imageDigest, pushedAt }));
}
