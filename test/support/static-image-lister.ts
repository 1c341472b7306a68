import type { ListedImage, RegistryImageLister } from '../../lambdas/core/ports';

/**
 * A registry that holds the images it is given, per `<registry>/<repository>`,
 * and answers as ECR does for a repository it does not have: an error.
 */
export class StaticImageLister implements RegistryImageLister {
  readonly asked: string[] = [];

  constructor(private readonly images: Readonly<Record<string, readonly ListedImage[]>>) {}

  async listTagged(image: string): Promise<readonly ListedImage[]> {
    this.asked.push(image);
    const listed = this.images[image];
    if (listed === undefined) throw new Error(`The repository with name '${image}' does not exist in the registry`);
    return structuredClone(listed);
  }
}
