import type {
  EditSpec,
  FreezeWindow,
  GateConfig,
  ImageConfig,
  PromotionConfig,
  RepositoryConfig,
  SlackDestination,
  TargetConfig,
} from '../config/promotion-config';
import { serviceOf } from '../config/promotion-config';
import type { Route } from '../events';
import { matchesImageGlob, normalizeImageName } from '../image-ref';
import { findMarkerSites, type YamlSource } from '../yaml/image-sites';
import { parsePolicyShorthand, type TagPolicy } from './tag-policy';

/** One place an image is promoted to, resolved from config or a marker. */
export interface ResolvedTarget {
  /** Stable across runs: repository, file, environment, image and where in the file. */
  readonly key: string;
  readonly repository: RepositoryConfig;
  readonly file: string;
  readonly environment: string;
  readonly service: string;
  readonly image: string;
  readonly policy: TagPolicy;
  readonly edit: EditSpec | { readonly kind: 'marker' };
  readonly mode: 'commit' | 'pull-request';
  /** Where the change is written: the base branch for commits, the PR branch otherwise. */
  readonly branch: string;
  readonly commitMessage: string;
  readonly skipCi: boolean;
  readonly digestMode: 'none' | 'inline' | 'field';
  readonly argocdApplications: readonly string[];
  readonly labels: readonly string[];
  readonly autoMerge: boolean;
  /** Values written beside the tag: a dotted path → a template. */
  readonly set: Readonly<Record<string, string>>;
  /** Only `set` is written; the file holds no image. */
  readonly setOnly: boolean;
  readonly slack?: SlackDestination;
  /** The environment this one follows in its service's chain; undefined for one promoted at once. */
  readonly after?: string;
  readonly gate?: GateConfig;
  readonly approval?: 'slack';
  readonly freeze: readonly FreezeWindow[];
}

/** Reads a file as it is on a branch; undefined when it does not exist. */
export type FileLookup = (repository: string, branch: string, path: string) => string | undefined;

/**
 * Where in its file an edit writes. Two targets of one image in one file
 * (the argo-cd chart's `redis.image.tag` and `redis-ha.image.tag`) differ
 * only here, so it is part of the target's identity.
 */
export function editLocationOf(edit: ResolvedTarget['edit']): string {
  switch (edit.kind) {
    case 'helm':
      return `helm:${edit.tagPath}`;
    case 'image-string':
      return `image-string:${edit.path}`;
    case 'kustomize':
      return `kustomize:${edit.name ?? ''}`;
    case 'argocd-application':
      return `argocd-application:${edit.helmParameter ?? edit.valuesObjectPath ?? 'kustomize.images'}`;
    case 'workload':
      return `workload:${edit.container ?? '*'}`;
    case 'marker':
      return 'marker';
  }
}

/** Where a values-only target writes: its `set` paths. */
const valuesLocationOf = (set: Readonly<Record<string, string>>): string => `set:${Object.keys(set).sort().join(',')}`;

const targetKeyOf = (repository: string, file: string, environment: string, image: string, edit: ResolvedTarget['edit']): string =>
  `${repository}:${file}:${environment}:${image}#${editLocationOf(edit)}`;

/** Fills `{name}` placeholders; unknown names stay as they are. */
export const renderTemplate = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);

/** Whether a target lies on a route (any target does when there is no route). */
export function targetOnRoute(target: ResolvedTarget, route: Route | undefined): boolean {
  if (route === undefined) return true;
  if (target.repository.name !== route.repository) return false;
  return route.branch === '*' ? target.edit.kind === 'marker' : target.edit.kind !== 'marker' && target.branch === route.branch;
}

/**
 * Every target of an image tag: from config and from marker files, limited to
 * a route. A new tag reaches the environments that follow no other; a chain
 * step (`environment`, once its gate passed) reaches that environment alone.
 */
export function targetsOf(
  config: PromotionConfig,
  image: string,
  tag: string,
  route: Route | undefined,
  files: FileLookup,
  environment?: string,
  yaml?: YamlSource,
): ResolvedTarget[] {
  return [...configuredTargets(config, image, tag), ...markerTargets(config, image, files, yaml)].filter(
    (t) => targetOnRoute(t, route) && (environment === undefined ? t.after === undefined : t.environment === environment),
  );
}

/**
 * A config's image entries indexed for matching: names without a wildcard by
 * their normalized form, the globs apart; and the entries each image name
 * matched, since every event of an image asks again.
 */
interface ImageIndex {
  readonly exact: Map<string, number[]>;
  readonly globs: number[];
  readonly matched: Map<string, readonly ImageConfig[]>;
  /** The configured targets of an image, for images whose targets' branches do not depend on the tag. */
  readonly targets: Map<string, readonly ResolvedTarget[]>;
}
const indexes = new WeakMap<PromotionConfig, ImageIndex>();
const MAX_IMAGES_REMEMBERED = 10_000;

function imageIndexOf(config: PromotionConfig): ImageIndex {
  let index = indexes.get(config);
  if (index === undefined) {
    index = { exact: new Map(), globs: [], matched: new Map(), targets: new Map() };
    for (const [i, entry] of config.images.entries()) {
      if (entry.image.includes('*')) index.globs.push(i);
      else {
        const name = normalizeImageName(entry.image);
        index.exact.set(name, [...(index.exact.get(name) ?? []), i]);
      }
    }
    indexes.set(config, index);
  }
  return index;
}

/** The config's image entries whose glob matches an image name, in config order, as `matchesImageGlob` decides. */
export function imagesMatching(config: PromotionConfig, image: string): readonly ImageConfig[] {
  const index = imageIndexOf(config);
  let matching = index.matched.get(image);
  if (matching === undefined) {
    const positions = [
      ...(index.exact.get(normalizeImageName(image)) ?? []),
      ...index.globs.filter((i) => matchesImageGlob(config.images[i]?.image ?? '', image)),
    ];
    matching = positions.sort((a, b) => a - b).flatMap((i) => config.images[i] ?? []);
    // Bounded: image names come from events.
    if (index.matched.size >= MAX_IMAGES_REMEMBERED) index.matched.clear();
    index.matched.set(image, matching);
  }
  return matching;
}

/** The targets that config declares for an image name; `tag` fills `{newTag}` in branch templates. */
export function configuredTargets(config: PromotionConfig, image: string, tag: string): ResolvedTarget[] {
  const index = imageIndexOf(config);
  const known = index.targets.get(image);
  if (known !== undefined) return [...known];
  const targets = resolveConfiguredTargets(config, image, tag);
  // Kept per image when no branch name depends on the tag; the targets are read-only.
  if (imagesMatching(config, image).every((entry) => entry.targets.every((t) => t.mode === 'commit' || !t.branch.includes('{newTag}')))) {
    if (index.targets.size >= MAX_IMAGES_REMEMBERED) index.targets.clear();
    index.targets.set(image, targets);
  }
  return [...targets];
}

function resolveConfiguredTargets(config: PromotionConfig, image: string, tag: string): ResolvedTarget[] {
  return imagesMatching(config, image).flatMap((entry) =>
    entry.targets.map((target: TargetConfig) => {
      const repository = config.repositories.find((r) => r.name === target.repository);
      // The config schema refuses unknown repository names; this only guards hand-built configs.
      if (repository === undefined) throw new Error(`no repository '${target.repository}'`);
      const service = serviceOf(entry);
      return {
        key: target.setOnly
          ? `${repository.name}:${target.file}:${target.environment}:${image}#${valuesLocationOf(target.set)}`
          : targetKeyOf(repository.name, target.file, target.environment, image, target.edit),
        repository,
        file: target.file,
        environment: target.environment,
        service,
        image,
        policy: entry.policy,
        edit: target.edit,
        mode: target.mode,
        branch:
          target.mode === 'commit'
            ? repository.baseBranch
            : renderTemplate(target.branch, { environment: target.environment, service, repository: repository.name, newTag: tag }),
        commitMessage: target.commitMessage,
        skipCi: target.skipCi,
        digestMode: target.digest,
        argocdApplications: target.argocdApplications,
        labels: target.labels,
        autoMerge: target.autoMerge,
        set: target.set,
        setOnly: target.setOnly,
        ...(target.slack ? { slack: target.slack } : {}),
        ...(target.after ? { after: target.after } : {}),
        ...(target.gate ? { gate: target.gate } : {}),
        ...(target.approval ? { approval: target.approval } : {}),
        freeze: target.freeze,
      } satisfies ResolvedTarget;
    }),
  );
}

/** The marker targets a repository's marker files declare for an image; read through `yaml` when given. */
export function markerTargets(config: PromotionConfig, image: string, files: FileLookup, yaml?: YamlSource): ResolvedTarget[] {
  return config.repositories.flatMap((repository) =>
    repository.markerFiles.flatMap((file) => {
      const text = files(repository.name, repository.baseBranch, file);
      if (text === undefined) return [];
      return (yaml?.markerSitesOf(text, file) ?? findMarkerSites(text, file))
        .filter((site) => matchesImageGlob(site.image, image))
        .map((site) => {
          const environment = site.environment ?? repository.markerDefaults.environment;
          const service = image.split('/').at(-1) ?? image;
          const mode = repository.markerDefaults.mode;
          const edit = { kind: 'marker' as const };
          return {
            key: targetKeyOf(repository.name, file, environment, image, edit),
            repository,
            file,
            environment,
            service,
            image,
            policy: site.policy === undefined ? ({ type: 'semver', range: '*', prerelease: false } as const) : parsePolicyShorthand(site.policy),
            edit,
            mode,
            branch: mode === 'commit' ? repository.baseBranch : `hoist/${environment}/${service}`,
            commitMessage: repository.markerDefaults.commitMessage,
            skipCi: repository.markerDefaults.skipCi,
            digestMode: 'none' as const,
            argocdApplications: repository.markerDefaults.argocdApplications,
            labels: [],
            autoMerge: false,
            set: {},
            setOnly: false,
            freeze: [],
          } satisfies ResolvedTarget;
        });
    }),
  );
}

/** A configured pull-request target of a repository, with a pattern that matches its branch for any tag. */
export interface BranchTarget {
  readonly file: string;
  readonly environment: string;
  readonly service: string;
  readonly argocdApplications: readonly string[];
  readonly branchPattern: RegExp;
}

/** The pull-request targets config declares in one repository (for merged PR/MRs). */
export function configuredTargetsOfRepository(config: PromotionConfig, repository: string): BranchTarget[] {
  return config.images.flatMap((image) =>
    image.targets
      .filter((t) => t.repository === repository && t.mode === 'pull-request')
      .map((t) => {
        const service = serviceOf(image);
        const branch = renderTemplate(t.branch, { environment: t.environment, service, repository });
        const pattern = branch
          .split(/(\{\w+\})/)
          .map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\*]/g, '\\$&')))
          .join('');
        return { file: t.file, environment: t.environment, service, argocdApplications: t.argocdApplications, branchPattern: new RegExp(`^${pattern}$`) };
      }),
  );
}
