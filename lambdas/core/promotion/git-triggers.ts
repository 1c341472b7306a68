import type { PromotionConfig, RepositoryConfig, TriggerSource } from '../config/promotion-config';
import type { CiSucceeded, GitHost, GitPush } from '../events';
import { isImageTag } from '../image-ref';

/** An image build that a Git host event announces, before any registry is asked. */
export interface AnnouncedBuild {
  readonly image: string;
  readonly tag: string;
  /** Whether the tag must be found in the registry before it is written. */
  readonly verify: boolean;
  /** The commit the image was built from. */
  readonly commit: string;
  /** The `from` source that announced it: where the commit lives and how the tag was made of it. */
  readonly from: TriggerSource;
  readonly source: string;
}

/** The branch or tag name of a ref (`refs/heads/main` → `main`, `refs/tags/v1.2.3` → `v1.2.3`). */
export const refName = (ref: string): string => ref.replace(/^refs\/(heads|tags)\//, '');

/**
 * Renders a tag template: {sha} {sha:N} {branch} {tag} {tag#v}. Undefined
 * when the template needs a part the event lacks, or the result is not a
 * valid image tag (a branch name with a slash …).
 */
export function renderTagTemplate(template: string, parts: { sha: string; branch?: string; tag?: string }): string | undefined {
  let missing = false;
  const text = template.replace(/\{(sha(?::(\d{1,2}))?|branch|tag|tag#v)\}/g, (_whole, name: string, length: string | undefined) => {
    if (name.startsWith('sha')) return length === undefined ? parts.sha : parts.sha.slice(0, Number(length));
    const value = name === 'branch' ? parts.branch : parts.tag;
    if (value === undefined) {
      missing = true;
      return '';
    }
    return name === 'tag#v' ? value.replace(/^v(?=\d)/, '') : value;
  });
  return missing || !isImageTag(text) ? undefined : text;
}

const sameRepository = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether a trigger source matches a CI run or push, and the tag it stands for. */
function matchSource(source: TriggerSource, event: CiSucceeded | GitPush): { tag: string; commit: string } | { reason: string } | undefined {
  if (source.host !== event.host || !sameRepository(source.repository, event.repository)) return undefined;
  if (event.type === 'ci.succeeded') {
    if (source.on !== 'ci.succeeded') return undefined;
    const ref = refName(event.ref);
    if (source.branches !== undefined && !source.branches.includes(ref)) return { reason: `CI run on '${ref}', not on ${source.branches.join(', ')}` };
    if (source.pipeline !== undefined && source.pipeline !== event.pipeline.name) {
      return { reason: `pipeline '${event.pipeline.name}' is not '${source.pipeline}'` };
    }
    const isTag = event.ref.startsWith('refs/tags/');
    const tag = renderTagTemplate(source.tag ?? '{sha}', { sha: event.sha, ...(isTag ? { tag: ref } : { branch: ref }) });
    return tag === undefined ? { reason: `tag template '${source.tag ?? '{sha}'}' gives no valid tag for ${event.ref}` } : { tag, commit: event.sha };
  }
  const ref = refName(event.ref);
  if (event.refType === 'tag') {
    if (source.on !== 'tag.pushed') return undefined;
    const tag = renderTagTemplate(source.tag ?? '{tag}', { sha: event.after, tag: ref });
    return tag === undefined ? { reason: `tag template '${source.tag ?? '{tag}'}' gives no valid tag for ${event.ref}` } : { tag, commit: event.after };
  }
  if (source.on !== 'branch.pushed') return undefined;
  if (source.branches !== undefined && !source.branches.includes(ref)) return { reason: `push to '${ref}', not to ${source.branches.join(', ')}` };
  const tag = renderTagTemplate(source.tag ?? '{sha}', { sha: event.after, branch: ref });
  return tag === undefined ? { reason: `tag template '${source.tag ?? '{sha}'}' gives no valid tag for ${event.ref}` } : { tag, commit: event.after };
}

/**
 * The image builds a CI run or a push announces: one per configured image
 * whose `from` names this host, repository and kind of event (and whose
 * branch and pipeline filters pass). The reasons say why nothing matched.
 */
export function buildsAnnouncedBy(config: PromotionConfig, event: CiSucceeded | GitPush): { builds: AnnouncedBuild[]; reasons: string[] } {
  const builds: AnnouncedBuild[] = [];
  const reasons: string[] = [];
  for (const image of config.images) {
    for (const source of image.from) {
      const match = matchSource(source, event);
      if (match === undefined) continue;
      if ('reason' in match) {
        reasons.push(`${image.image}: ${match.reason}`);
        continue;
      }
      builds.push({ image: image.image, tag: match.tag, verify: source.verify === 'registry', commit: match.commit, from: source, source: sourceLabel(event) });
    }
  }
  return { builds, reasons };
}

function sourceLabel(event: CiSucceeded | GitPush): string {
  if (event.type === 'ci.succeeded') return `${event.host} ${event.pipeline.name || 'CI'} on ${event.repository}`;
  return `${event.host} ${event.refType} push ${refName(event.ref)} on ${event.repository}`;
}

/** `owner/name` (or `group/sub/name`) of a clone URL, lower-cased; undefined for a local path. */
export function repositoryPathOf(url: string): string | undefined {
  const scp = /^[^@/]+@[^:/]+:(.+?)(?:\.git)?\/?$/.exec(url);
  if (scp) return scp[1]?.toLowerCase();
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'file:') return undefined;
    return parsed.pathname
      .replace(/^\/+/, '')
      .replace(/\.git\/?$/, '')
      .replace(/\/$/, '')
      .toLowerCase();
  } catch {
    return undefined;
  }
}

/** The configured GitOps repository a Git host event is about, when it is one. */
export function gitopsRepositoryOf(config: PromotionConfig, host: GitHost, repository: string): RepositoryConfig | undefined {
  return config.repositories.find((r) => r.provider === host && repositoryPathOf(r.url) === repository.toLowerCase());
}
