import { type Document, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import { ValidationError } from '../../shared/errors';
import type { EditSpec } from '../config/promotion-config';
import { formatImageRef, parseImageRef, sameImage } from '../image-ref';
import { type ScalarEdit, type SourceScalar, sourceScalarOf } from './scalar-splice';
import { scanBlockYaml } from './scan-block-yaml';
import { childAt, childOf, type ScalarView, type TreeMap, type TreeNode, textOf, treeOf, type YamlDocument } from './yaml-tree';

/** Reads each file's YAML once and keeps its sites as edits move them (see `createYamlReader`). */
export interface YamlSource {
  documentsOf(text: string, file: string): readonly YamlDocument[];
  markerSitesOf(text: string, file: string): MarkerSite[];
}

/**
 * A place in a file that names an image version: a tag on its own, a whole
 * reference (`repo:tag@digest`, possibly after a `name=` prefix), and maybe a
 * separate digest field.
 */
export interface ImageSite {
  /** Where it is, for people: `api.image.tag`, `[1].spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly tag?: SourceScalar;
  readonly ref?: SourceScalar & { readonly prefix: string };
  readonly digest?: SourceScalar;
}

/**
 * Parses every document of a YAML file, refusing files YAML itself refuses.
 * Linear in the file's size: files come from Git and may be of any size.
 */
export function parseYamlDocuments(text: string, file: string): Document.Parsed[] {
  // The library's own unique-key check compares each key with every earlier key of its mapping
  // (80,000 keys took a minute); refuseDuplicateKeys does the same check with one Map per mapping.
  const documents = parseAllDocuments(text, { uniqueKeys: false });
  if (!Array.isArray(documents)) return [];
  for (const doc of documents) {
    const [error] = doc.errors;
    if (error !== undefined) throw new ValidationError(`${file}: not valid YAML: ${error.message.split('\n')[0]}`);
  }
  for (const doc of documents) refuseDuplicateKeys(doc, text, file);
  return documents;
}

/**
 * Refuses a mapping that holds a key twice: YAML 1.2 forbids it, and a bump
 * could land in either twin. Keys compare as the yaml library compares them:
 * scalars by value (`1` and `1.0` are one key, `1` and `'1'` two); collections,
 * aliases and, where the schema has them, `<<` merge keys never collide. Walks each node once, without
 * recursion.
 */
function refuseDuplicateKeys(doc: Document.Parsed, text: string, file: string): void {
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Map<unknown, number>();
      for (const { key, value } of node.items) {
        if (isScalar(key)) {
          const first = seen.get(key.value);
          const at = key.range?.[0] ?? 0;
          if (first !== undefined) {
            const name = String(key.value);
            throw new ValidationError(
              `${file}: not valid YAML: duplicate key '${name.length > 80 ? `${name.slice(0, 80)}…` : name}' at line ${lineOf(text, at)} (first at line ${lineOf(text, first)})`,
            );
          }
          seen.set(key.value, at);
        }
        pending.push(key, value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item);
    } else if (isPair(node)) {
      pending.push(node.key, node.value);
    }
  }
}

/**
 * The documents of a file as trees: read straight from the Lexer when the
 * file is plain block YAML (nearly every values file and manifest), else
 * parsed in full by the yaml library, which refuses what YAML refuses (with
 * the same checks and messages as `parseYamlDocuments`). Linear in the
 * file's size either way.
 */
export function readYamlDocuments(text: string, file: string): YamlDocument[] {
  return scanBlockYaml(text) ?? parseYamlDocuments(text, file).map((doc) => ({ contents: treeOf(doc.contents) }));
}

/** The 1-based line of an offset; only for error messages, so a scan from the start is fine. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}

/** `a.b[0].c` → ['a', 'b', 0, 'c']. */
export function parseDottedPath(path: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const segment of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (match === null) throw new ValidationError(`'${path}' is not a dotted path`);
    if (match[1]) parts.push(match[1]);
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

/**
 * A scalar's place and style, as it stands in the text `view` belongs to;
 * undefined when it is not a string or a number (as `sourceScalarOf` for the
 * library's nodes).
 */
export function sourceOf(found: TreeNode | undefined, view?: ScalarView): SourceScalar | undefined {
  if (found?.kind !== 'scalar') return undefined;
  const node = view === undefined ? found : view(found);
  const value = node.value;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  // A plain `1.10` is the number 1.1 to YAML, but the tag `1.10` to a person: keep the written text.
  const written = node.type === 'PLAIN' && typeof node.source === 'string' ? node.source : String(value);
  return { start: node.start, end: node.end, value: written, style: node.type };
}

const scalarAt = (node: TreeNode, path: ReadonlyArray<string | number>, view: ScalarView | undefined): SourceScalar | undefined =>
  sourceOf(childAt(node, path), view);

/** What `String(map.get(key))` gives in the text `view` belongs to. */
const textIn = (node: TreeNode | undefined, view: ScalarView | undefined): string => textOf(view !== undefined && node?.kind === 'scalar' ? view(node) : node);

const nameMatches = (written: string, image: string): boolean => sameImage(written, image) || image.toLowerCase().endsWith(`/${written.toLowerCase()}`);

/**
 * The sites an edit spec designates for `image` in a file's text. With a
 * `source`, the file is read through it (once per text).
 */
export function findImageSites(text: string, file: string, spec: EditSpec, image: string, source?: YamlSource): ImageSite[] {
  const documents = source?.documentsOf(text, file) ?? readYamlDocuments(text, file);
  switch (spec.kind) {
    case 'helm':
      return documents.flatMap((doc) => helmSites(doc.contents, spec, image, '', doc.current));
    case 'image-string':
      return documents.flatMap((doc) => {
        const ref = scalarAt(doc.contents, parseDottedPath(spec.path), doc.current);
        return ref !== undefined && nameMatches(parseImageRef(ref.value).name, image) ? [{ path: spec.path, ref: { ...ref, prefix: '' } }] : [];
      });
    case 'kustomize':
      return documents.flatMap((doc) => kustomizeSites(doc.contents, spec.name ?? image, image, 'images', doc.current));
    case 'argocd-application':
      return documents.flatMap((doc, index) => argoSites(doc, spec, image, documents.length > 1 ? `[${index}].` : ''));
    case 'workload':
      return documents.flatMap((doc, index) => workloadSites(doc, image, spec.container, documents.length > 1 ? `[${index}].` : ''));
  }
}

/**
 * The scalars at dotted paths in the first document that has them, for
 * values written beside a tag (`data.MODEL_SHA`); a path with no scalar is
 * left out of the map.
 */
export function findValueSites(text: string, file: string, paths: readonly string[], source?: YamlSource): Map<string, SourceScalar> {
  const documents = source?.documentsOf(text, file) ?? readYamlDocuments(text, file);
  const found = new Map<string, SourceScalar>();
  for (const path of paths) {
    const parts = parseDottedPath(path);
    for (const doc of documents) {
      const scalar = scalarAt(doc.contents, parts, doc.current);
      if (scalar !== undefined) {
        found.set(path, scalar);
        break;
      }
    }
  }
  return found;
}

function helmSites(
  root: TreeNode | undefined,
  spec: { tagPath: string; repositoryPath?: string; digestPath?: string },
  image: string,
  prefix: string,
  view: ScalarView | undefined,
): ImageSite[] {
  if (root === undefined) return [];
  const tag = scalarAt(root, parseDottedPath(spec.tagPath), view);
  if (tag === undefined) return [];
  if (spec.repositoryPath !== undefined) {
    const repository = scalarAt(root, parseDottedPath(spec.repositoryPath), view);
    if (repository === undefined || !nameMatches(repository.value, image)) return [];
  } else {
    // No repository key named: a `repository` beside the tag, if there is one, must still be this image.
    const sibling = scalarAt(root, [...parseDottedPath(spec.tagPath).slice(0, -1), 'repository'], view);
    if (sibling !== undefined && !nameMatches(sibling.value, image)) return [];
  }
  const digest = spec.digestPath === undefined ? undefined : scalarAt(root, parseDottedPath(spec.digestPath), view);
  return [{ path: `${prefix}${spec.tagPath}`, tag, ...(digest ? { digest } : {}) }];
}

function kustomizeSites(root: TreeNode, name: string, image: string, path: string, view: ScalarView | undefined): ImageSite[] {
  const images = root.kind === 'map' ? childOf(root, 'images') : undefined;
  if (images?.kind !== 'seq') return [];
  const sites: ImageSite[] = [];
  images.items.forEach((entry, i) => {
    if (entry.kind !== 'map') return;
    const entryName = sourceOf(childOf(entry, 'name'), view)?.value;
    const newName = sourceOf(childOf(entry, 'newName'), view)?.value;
    const matches =
      (entryName !== undefined && (nameMatches(entryName, name) || nameMatches(entryName, image))) || (newName !== undefined && nameMatches(newName, image));
    if (!matches) return;
    const tag = sourceOf(childOf(entry, 'newTag'), view);
    const digest = sourceOf(childOf(entry, 'digest'), view);
    if (tag === undefined) return;
    sites.push({ path: `${path}[${i}].newTag`, tag, ...(digest ? { digest } : {}) });
  });
  return sites;
}

function argoSites(doc: YamlDocument, spec: Extract<EditSpec, { kind: 'argocd-application' }>, image: string, prefix: string): ImageSite[] {
  const root = doc.contents;
  const view = doc.current;
  if (root.kind !== 'map' || textIn(childOf(root, 'kind'), view) !== 'Application') return [];
  const spec_ = childOf(root, 'spec');
  if (spec_?.kind !== 'map') return [];
  const sources: Array<{ node: TreeMap; path: string }> = [];
  const single = childOf(spec_, 'source');
  if (single?.kind === 'map') sources.push({ node: single, path: `${prefix}spec.source` });
  const many = childOf(spec_, 'sources');
  if (many?.kind === 'seq') {
    for (const [i, s] of many.items.entries()) if (s.kind === 'map') sources.push({ node: s, path: `${prefix}spec.sources[${i}]` });
  }

  return sources.flatMap(({ node, path }): ImageSite[] => {
    if (spec.helmParameter !== undefined) {
      const parameters = childAt(node, ['helm', 'parameters']);
      if (parameters?.kind !== 'seq') return [];
      return parameters.items.flatMap((p, i) => {
        if (p.kind !== 'map' || textIn(childOf(p, 'name'), view) !== spec.helmParameter) return [];
        const value = sourceOf(childOf(p, 'value'), view);
        return value === undefined ? [] : [{ path: `${path}.helm.parameters[${i}].value`, tag: value }];
      });
    }
    if (spec.valuesObjectPath !== undefined) {
      const values = childAt(node, ['helm', 'valuesObject']);
      return helmSites(values, { tagPath: spec.valuesObjectPath }, image, `${path}.helm.valuesObject.`, view);
    }
    const images = childAt(node, ['kustomize', 'images']);
    if (images?.kind !== 'seq') return [];
    return images.items.flatMap((entry, i) => {
      const scalar = sourceOf(entry, view);
      if (scalar === undefined) return [];
      // `name=newName:tag` or `name:tag` (kustomize edit set image syntax)
      const eq = scalar.value.indexOf('=');
      const prefixText = eq >= 0 ? scalar.value.slice(0, eq + 1) : '';
      const ref = parseImageRef(scalar.value.slice(prefixText.length));
      const original = prefixText.slice(0, -1);
      if (!nameMatches(ref.name, image) && !(original !== '' && nameMatches(original, image))) return [];
      return [{ path: `${path}.kustomize.images[${i}]`, ref: { ...scalar, prefix: prefixText } }];
    });
  });
}

const POD_SPEC_PATHS: Record<string, ReadonlyArray<string>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  Rollout: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function workloadSites(doc: YamlDocument, image: string, container: string | undefined, prefix: string): ImageSite[] {
  const root = doc.contents;
  const view = doc.current;
  if (root.kind !== 'map') return [];
  const podPath = POD_SPEC_PATHS[textIn(childOf(root, 'kind'), view)];
  if (podPath === undefined) return [];
  const podSpec = childAt(root, podPath);
  if (podSpec?.kind !== 'map') return [];
  return ['initContainers', 'containers'].flatMap((list) => {
    const containers = childOf(podSpec, list);
    if (containers?.kind !== 'seq') return [];
    return containers.items.flatMap((c, i): ImageSite[] => {
      if (c.kind !== 'map') return [];
      if (container !== undefined && textIn(childOf(c, 'name'), view) !== container) return [];
      const ref = sourceOf(childOf(c, 'image'), view);
      if (ref === undefined || !nameMatches(parseImageRef(ref.value).name, image)) return [];
      return [{ path: `${prefix}${podPath.join('.')}.${list}[${i}].image`, ref: { ...ref, prefix: '' } }];
    });
  });
}

/** The tag and digest a site holds now. */
export function currentVersionOf(site: ImageSite): { tag?: string; digest?: string } {
  if (site.ref !== undefined) {
    const ref = parseImageRef(site.ref.value.slice(site.ref.prefix.length));
    return { ...(ref.tag ? { tag: ref.tag } : {}), ...(ref.digest ? { digest: ref.digest } : site.digest ? { digest: site.digest.value } : {}) };
  }
  const [tag, inlineDigest] = (site.tag?.value ?? '').split('@');
  const digest = inlineDigest ?? site.digest?.value;
  return { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** How to write a new version into a site. */
export interface NewVersion {
  readonly tag: string;
  readonly digest?: string;
  /** `inline`: `tag@digest`; `field`: into the site's digest field; `none`: tag only. */
  readonly digestMode: 'none' | 'inline' | 'field';
}

/** The scalar edits that move a site to a new version. */
export function editsForSite(site: ImageSite, version: NewVersion): ScalarEdit[] {
  const inline = version.digestMode === 'inline' && version.digest !== undefined;
  const edits: ScalarEdit[] = [];
  if (site.tag !== undefined) edits.push({ scalar: site.tag, value: inline ? `${version.tag}@${version.digest}` : version.tag });
  if (site.ref !== undefined) {
    const ref = parseImageRef(site.ref.value.slice(site.ref.prefix.length));
    const value = formatImageRef({ name: ref.name, tag: version.tag, ...(inline && version.digest ? { digest: version.digest } : {}) });
    edits.push({ scalar: site.ref, value: `${site.ref.prefix}${value}` });
  }
  if (version.digestMode === 'field' && version.digest !== undefined) {
    if (site.digest === undefined) throw new ValidationError(`${site.path}: digest mode 'field' needs a digest key next to the tag`);
    edits.push({ scalar: site.digest, value: version.digest });
  }
  return edits;
}

/** A `# hoist: {…}` marker found on a scalar. */
export interface MarkerSite extends ImageSite {
  readonly image: string;
  readonly policy?: string;
  readonly environment?: string;
}

/**
 * The JSON of a `hoist: {…}` marker at the end of a comment: from the `{` of
 * the first `hoist:` on the comment's last line to the closing `}` that ends
 * the comment. A scan, not a regular expression: `/hoist:\s*(\{.*\})\s*$/`
 * backtracks over the rest of the line from every `hoist:`, which is quadratic
 * in a long comment line.
 */
function markerJsonOf(comment: string): string | undefined {
  const text = comment.trimEnd();
  const end = text.length - 1;
  if (text[end] !== '}') return undefined;
  // `.` stops at these, so the braces and what lies between them share one line.
  const lineStart = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'), text.lastIndexOf('\u2028'), text.lastIndexOf('\u2029')) + 1;
  for (let at = text.indexOf('hoist:'); at !== -1; at = text.indexOf('hoist:', at + 1)) {
    let open = at + 'hoist:'.length;
    while (open < end && /\s/.test(text[open] ?? '')) open += 1;
    if (text[open] === '{' && open >= lineStart && open < end) return text.slice(open, end + 1);
  }
  return undefined;
}

/**
 * Scalars that declare their own target with a trailing comment, in the
 * manner of Flux setters: `tag: 1.4.2 # hoist: {"image": "registry/app", "policy": "semver:^1"}`.
 * A value with `:` or `/` is a whole reference, anything else a tag.
 */
export function findMarkerSites(text: string, file: string): MarkerSite[] {
  const sites: MarkerSite[] = [];
  parseYamlDocuments(text, file).forEach((doc) => {
    visit(doc, {
      Scalar(_key, node, path) {
        const json = typeof node.comment === 'string' ? markerJsonOf(node.comment) : undefined;
        if (json === undefined || !isScalar(node)) return;
        let marker: { image?: unknown; policy?: unknown; environment?: unknown; field?: unknown };
        try {
          marker = JSON.parse(json) as typeof marker;
        } catch {
          throw new ValidationError(`${file}: hoist marker is not valid JSON: ${json}`);
        }
        if (typeof marker.image !== 'string') throw new ValidationError(`${file}: hoist marker needs "image"`);
        const scalar = sourceScalarOf(node);
        if (scalar === undefined) return;
        const where = path
          .filter((p) => !isSeq(p) && !isMap(p))
          .map((p) => (isScalar((p as { key?: unknown }).key) ? String((p as { key: { value: unknown } }).key.value) : ''))
          .filter((p) => p !== '')
          .join('.');
        const isRef = marker.field === 'image' || (marker.field !== 'tag' && /[:/]/.test(scalar.value));
        sites.push({
          path: where,
          image: marker.image,
          ...(typeof marker.policy === 'string' ? { policy: marker.policy } : {}),
          ...(typeof marker.environment === 'string' ? { environment: marker.environment } : {}),
          ...(isRef ? { ref: { ...scalar, prefix: '' } } : { tag: scalar }),
        });
      },
    });
  });
  return sites;
}
