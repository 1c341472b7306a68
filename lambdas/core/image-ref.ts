/*
 * The image reference grammar of the distribution project, which the OCI
 * distribution spec and docker follow:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [ domain "/" ] path
 *   domain           := host [ ":" port-number ]
 *   host             := domain-name | "[" IPv6address "]"
 *   domain-name      := domain-component [ "." domain-component ]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   path             := path-component [ "/" path-component ]*
 *   path-component   := /[a-z0-9]+/ [ separator /[a-z0-9]+/ ]*
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[A-Za-z0-9_][A-Za-z0-9._-]{0,127}/
 *   digest           := algorithm ":" /[0-9a-fA-F]{32,}/
 *
 * A name, registry included, is at most 255 characters. Nothing outside these
 * characters (no whitespace, no newline) can be part of a valid reference.
 */

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;

/** A registry host with an optional port: `ghcr.io`, `localhost:5000`, `[::1]:5000`. */
export const REGISTRY_PATTERN = new RegExp(`^${DOMAIN}$`);
/** A repository path inside a registry: `team/api`, `group/sub/name`. */
export const REPOSITORY_PATTERN = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
/** An image tag. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** A content digest such as `sha256:<hex>`. */
export const DIGEST_PATTERN = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const NAME_PATTERN = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

/** Longest image name (`registry/repository`) registries and clients accept. */
export const MAX_IMAGE_NAME_LENGTH = 255;

export const isImageTag = (value: string): boolean => TAG_PATTERN.test(value);
export const isImageDigest = (value: string): boolean => DIGEST_PATTERN.test(value);
export const isImageName = (value: string): boolean => value.length <= MAX_IMAGE_NAME_LENGTH && NAME_PATTERN.test(value);

/** A part of a reference that breaks the grammar. */
export type MalformedImagePart = 'name' | 'tag' | 'digest';

/** An image reference split into its parts: `name[:tag][@digest]`. */
export interface ImageRef {
  /** Registry and repository, e.g. `ghcr.io/team/api` or `nginx`. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
  /**
   * The parts that break the reference grammar. A malformed tag or digest is
   * left out of the result, so that text which is not a version (a newline, a
   * space, a leading dot) is never handed on as one.
   */
  readonly malformed?: readonly MalformedImagePart[];
}

/**
 * Splits `registry/repo:tag@sha256:…`; a port in the registry host is not a
 * tag. References come from GitOps files, which anyone with write access to
 * them shapes: each part is checked against the grammar and flagged in
 * `malformed` when it breaks it.
 */
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
  const malformed: MalformedImagePart[] = [];
  if (!isImageName(rest)) malformed.push('name');
  if (tag !== undefined && !isImageTag(tag)) {
    malformed.push('tag');
    tag = undefined;
  }
  if (digest !== undefined && !isImageDigest(digest)) {
    malformed.push('digest');
    digest = undefined;
  }
  return { name: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), ...(malformed.length > 0 ? { malformed } : {}) };
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
  return compiledGlob(glob).test(normalizeImageName(name));
}

/** Globs compiled once: they come from config and marker files, a few per image, matched on every event. */
const compiledGlobs = new Map<string, RegExp>();
const MAX_COMPILED_GLOBS = 10_000;

function compiledGlob(glob: string): RegExp {
  let compiled = compiledGlobs.get(glob);
  if (compiled === undefined) {
    const pattern = normalizeImageName(glob)
      .split(/(\*\*|\*)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    compiled = new RegExp(`^${pattern}$`);
    // Bounded: marker files may name any number of images over a warm function's life.
    if (compiledGlobs.size >= MAX_COMPILED_GLOBS) compiledGlobs.clear();
    compiledGlobs.set(glob, compiled);
  }
  return compiled;
}
