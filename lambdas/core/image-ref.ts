/** An image reference split into its parts: `name[:tag][@digest]`. */
export interface ImageRef {
  /** Registry and repository, e.g. `ghcr.io/team/api` or `nginx`. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `registry/repo:tag@sha256:…`; a port in the registry host is not a tag. */
export function parseImageRef(reference: string): ImageRef {
  let rest = reference.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Joins parts back into a reference. */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/**
 * Docker Hub's implicit parts removed, so `nginx`, `docker.io/nginx` and
 * `docker.io/library/nginx` compare equal; everything else is lower-cased.
 */
export function normalizeImageName(name: string): string {
  let n = name.toLowerCase();
  for (const prefix of ['docker.io/', 'index.docker.io/', 'registry-1.docker.io/']) {
    if (n.startsWith(prefix)) n = n.slice(prefix.length);
  }
  if (n.startsWith('library/')) n = n.slice('library/'.length);
  return n;
}

export function sameImage(a: string, b: string): boolean {
  return normalizeImageName(a) === normalizeImageName(b);
}

/** Glob match for image names: `*` matches within a path segment, `**` across segments. */
export function matchesImageGlob(glob: string, name: string): boolean {
  const pattern = normalizeImageName(glob)
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(normalizeImageName(name));
}
