import { TerminalError } from '../../shared/errors';

/** Where an image lives: the registry host Hoist talks to and the repository name in `/v2/<name>/…`. */
export interface OciImageName {
  /** `host[:port]`, lower-case; Docker Hub's API host for Docker Hub images. */
  readonly host: string;
  readonly name: string;
}

/** The API host of Docker Hub; `docker.io` and `index.docker.io` are its names in image references. */
export const DOCKER_HUB_HOST = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', DOCKER_HUB_HOST]);

/** A repository path component, as the distribution spec's name grammar has it. */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/;

/**
 * The registry host and repository name of an image reference without tag
 * or digest, normalized the way Docker does: the first path component is a
 * registry host when it has a `.` or a `:` or is `localhost`; otherwise, and
 * for `docker.io`, the image is on Docker Hub, where a single-component name
 * is an official image under `library/`. A malformed name is a TerminalError:
 * no registry will ever have it.
 */
export function parseImageName(image: string): OciImageName {
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  const hasHost = first.includes('.') || first.includes(':') || first === 'localhost';
  let host = hasHost ? first.toLowerCase() : 'docker.io';
  let name = hasHost ? image.slice(slash + 1) : image;
  if (!HOST.test(host)) throw new TerminalError(`image ${image}: ${first} is not a registry host`);
  if (image.includes('@') || name.split('/').some((component) => !COMPONENT.test(component))) {
    throw new TerminalError(`image ${image}: not a repository name (lower-case path components, tag and digest given apart)`);
  }
  if (DOCKER_HUB_ALIASES.has(host)) {
    host = DOCKER_HUB_HOST;
    if (!name.includes('/')) name = `library/${name}`;
  }
  return { host, name };
}
