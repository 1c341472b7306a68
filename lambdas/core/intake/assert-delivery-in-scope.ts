import { ForbiddenError } from '../../shared/errors';
import type { HoistEvent } from '../events';
import type { WebhookSecretScope } from '../webhook-secrets';

/** What a delivery says about itself that bounds a repository-scoped secret. */
export interface DeliveryClaims {
  /**
   * The repository the payload is from: `repository.full_name` on GitHub and
   * Gitea (for a Gitea package, the repository it is linked to,
   * `package.repository.full_name`), `project.path_with_namespace` on GitLab.
   */
  readonly repository: string | undefined;
  /**
   * The registries where the host keeps its own packages (GitHub:
   * `ghcr.io`, `docker.pkg.github.com`); `undefined` when the host's
   * registry name is not fixed (Gitea serves it on the instance's own host).
   */
  readonly packageRegistries?: readonly string[];
}

/**
 * Whether `imageRepository` (a lower-case path such as `team/app/worker`) is a
 * package of `repository`: its path is the repository's own `owner/name`, or
 * lies below it. GitHub, GitLab and Gitea all name a repository's images so.
 */
export function isPackageOfRepository(imageRepository: string, repository: string): boolean {
  const own = repository.toLowerCase();
  return imageRepository === own || imageRepository.startsWith(`${own}/`);
}

/**
 * Refuses a delivery that a repository's own secret signed but that speaks for
 * something else. The default secret may announce anything. Under a
 * repository's secret `R`:
 *
 * - the payload's own repository must be `R`;
 * - a push, CI or merge event must be for `R`;
 * - an image must be a package of `R` (`<registry>/R` or `<registry>/R/…`,
 *   compared lower-case), on one of the host's package registries when the
 *   host has fixed ones.
 *
 * The reason names only `R` (from the secret document) and the event's
 * position and type, never text taken from the payload.
 */
export function assertDeliveryInScope(scope: WebhookSecretScope, claims: DeliveryClaims, events: readonly HoistEvent[]): void {
  if (scope.kind === 'default') return;
  const repository = scope.repository;
  const refuse = (why: string): never => {
    throw new ForbiddenError(`signed with the secret of '${repository}', which speaks for that repository only: ${why}`);
  };
  if (claims.repository !== repository) refuse('the payload is from another repository');
  for (const [index, event] of events.entries()) {
    switch (event.type) {
      case 'git.push':
      case 'ci.succeeded':
      case 'change.merged':
        if (event.repository !== repository) refuse(`event ${index} (${event.type}) is for another repository`);
        break;
      case 'image.published':
        if (!isPackageOfRepository(event.repository, repository)) refuse(`event ${index} (${event.type}) is an image of another repository`);
        if (claims.packageRegistries !== undefined && !claims.packageRegistries.includes(event.registry)) {
          refuse(`event ${index} (${event.type}) is an image on another registry`);
        }
        break;
    }
  }
}
