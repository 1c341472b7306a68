import { TerminalError } from '../../shared/errors';
import type { PromotionConfig, RepositoryConfig, TriggerSource } from '../config/promotion-config';
import type { BranchUpdate, CommitHistory, CommitRelation, GitProvider, PullRequestInfo, RegistryPushTimes, TagHistory, TargetStateStore } from '../ports';
import { currentVersionOf, type YamlSource } from '../yaml/image-sites';
import { createYamlReader, type YamlReader } from '../yaml/yaml-reader';
import { commitOfTag, tagTemplateOf } from './commit-of-tag';
import { sitesOf } from './decide-target';
import type { FileRead, ImageUpdate, TargetState } from './plan-promotions';
import { usesPushTime } from './tag-policy';
import { type ResolvedTarget, targetsOf } from './targets';

/** Where one repository branch is read from and how its commit will move it. */
export interface BranchView {
  readonly commit: string;
  readonly update: BranchUpdate;
  readonly pullRequest?: PullRequestInfo;
}

/** Everything one planning pass reads, as plain data. */
export interface Workspace {
  /** Per `repository\0branch`. */
  readonly views: ReadonlyMap<string, BranchView>;
  /** Per `repository\0branch\0path`. */
  readonly files: ReadonlyMap<string, FileRead>;
  readonly states: ReadonlyMap<string, TargetState>;
  /** Per `image\0tag`: when it was pushed. */
  readonly pushTimes: ReadonlyMap<string, string>;
  /** Per `image\0currentTag\0newTag`: how the new tag's commit relates to the current one's, where the host told. */
  readonly commitRelations: ReadonlyMap<string, CommitRelation>;
  /** The YAML of the files read, read once; planning goes on with it (`PlanInput.yaml`). */
  readonly yaml?: YamlReader;
}

export interface ReadDeps {
  readonly config: PromotionConfig;
  readonly providerFor: (repository: RepositoryConfig) => Promise<GitProvider>;
  readonly states: TargetStateStore;
  readonly tagHistory?: TagHistory;
  readonly registry?: RegistryPushTimes;
  /** Orders tags built from commits by Git ancestry; without it they are ordered by push time. */
  readonly commitHistory?: CommitHistory;
}

export const branchKey = (repository: string, branch: string): string => `${repository}\u0000${branch}`;
export const fileKey = (repository: string, branch: string, path: string): string => `${repository}\u0000${branch}\u0000${path}`;
export const tagKey = (image: string, tag: string): string => `${image}\u0000${tag}`;
export const relationKey = (image: string, currentTag: string, newTag: string): string => `${image}\u0000${currentTag}\u0000${newTag}`;

/**
 * Reads what planning a batch needs: one view per branch (every file of a
 * branch is read from, and later committed onto, the same commit), marker
 * files first (they say which targets exist), each target's file, each
 * target's state, the push times of tags that are ordered by push time, and
 * how the commit of each announced build relates to that of the tag in the file.
 * Files over `limits.maxFileBytes` are refused here, before anything parses them.
 */
export async function readWorkspace(updates: readonly ImageUpdate[], deps: ReadDeps): Promise<Workspace> {
  const { config } = deps;
  const yaml = createYamlReader();
  const views = new Map<string, BranchView>();
  const files = new Map<string, FileRead>();

  const viewFor = async (repository: RepositoryConfig, branch: string, mode: 'commit' | 'pull-request'): Promise<BranchView> => {
    const known = views.get(branchKey(repository.name, branch));
    if (known !== undefined) return known;
    const view = await viewOf(await deps.providerFor(repository), repository, branch, mode);
    views.set(branchKey(repository.name, branch), view);
    return view;
  };
  const readInto = async (repository: RepositoryConfig, branch: string, mode: 'commit' | 'pull-request', path: string): Promise<void> => {
    const key = fileKey(repository.name, branch, path);
    if (files.has(key)) return;
    const view = await viewFor(repository, branch, mode);
    const text = await (await deps.providerFor(repository)).readFile(view.commit, path);
    files.set(key, fileReadOf(text, config.limits.maxFileBytes));
  };

  const markerRepositories = config.repositories.filter(
    (r) => r.markerFiles.length > 0 && updates.some((u) => u.route === undefined || (u.route.repository === r.name && u.route.branch === '*')),
  );
  for (const repository of markerRepositories) {
    for (const path of repository.markerFiles) await readInto(repository, repository.baseBranch, 'commit', path);
  }
  const lookup = (repo: string, branch: string, path: string) => {
    const read = files.get(fileKey(repo, branch, path));
    return read?.kind === 'text' ? read.text : undefined;
  };
  const reached = updates.flatMap((update) => {
    try {
      return targetsOf(config, update.image, update.tag, update.route, lookup, update.environment, yaml).map((target) => ({ update, target }));
    } catch {
      // A broken marker file; planning reports it for the update.
      return [];
    }
  });
  const targets = reached.map((r) => r.target);
  for (const target of targets) await readInto(target.repository, target.branch, target.mode, target.file);

  const states = await deps.states.get([...new Set(targets.map((t) => t.key))]);
  const pushTimes = await readPushTimes(targets, states, lookup, deps, yaml);
  const commitRelations = await readCommitRelations(reached, states, lookup, deps, yaml);
  return { views, files, states, pushTimes, commitRelations, yaml };
}

/** The tag of the first image site a target designates in its file, when the file is there and parses. */
function currentTagOf(
  target: ResolvedTarget,
  lookup: (repo: string, branch: string, path: string) => string | undefined,
  yaml: YamlSource,
): string | undefined {
  const text = lookup(target.repository.name, target.branch, target.file);
  if (text === undefined) return undefined;
  try {
    const [site] = sitesOf(target, text, yaml);
    return site === undefined ? undefined : currentVersionOf(site).tag;
  } catch {
    // Not YAML: planning fails this target with the reason.
    return undefined;
  }
}

/**
 * For each build a Git host announced (it carries its commit and `from`
 * source), how its commit relates to the commit of the tag in each target's
 * file (for a target of values only, the tag Hoist last wrote there) and to
 * the other builds of the batch that reach the same target. A tag in a file
 * is read back into its commit through the source's tag template; only tags
 * made of {sha}/{sha:N} can be. The others, and commits the host does not
 * know, are left out: planning orders those by push time.
 */
async function readCommitRelations(
  reached: ReadonlyArray<{ readonly update: ImageUpdate; readonly target: ResolvedTarget }>,
  states: ReadonlyMap<string, TargetState>,
  lookup: (repo: string, branch: string, path: string) => string | undefined,
  deps: ReadDeps,
  yaml: YamlSource,
): Promise<Map<string, CommitRelation>> {
  const relations = new Map<string, CommitRelation>();
  const history = deps.commitHistory;
  if (history === undefined) return relations;
  const asked = new Set<string>();
  const ask = (from: TriggerSource, base: string, head: string) =>
    history.compare({ host: from.host, repository: from.repository, ...(from.apiUrl ? { apiUrl: from.apiUrl } : {}) }, base, head);
  const byTarget = new Map<string, Array<{ update: ImageUpdate & { commit: string; from: TriggerSource }; target: ResolvedTarget }>>();
  for (const { update, target } of reached) {
    const { commit, from } = update;
    if (commit === undefined || from === undefined) continue;
    // Only sources set up for it are asked: an anonymous public API is soon rate-limited.
    if (from.credentials === undefined && from.apiUrl === undefined) continue;
    byTarget.set(target.key, [...(byTarget.get(target.key) ?? []), { update: { ...update, commit, from }, target }]);
  }
  // Builds of one batch that reach one target, against each other: the newest of them is the one planned.
  for (const pairs of byTarget.values()) {
    for (const [i, a] of pairs.entries()) {
      for (const b of pairs.slice(i + 1)) {
        const key = relationKey(a.target.image, a.update.tag, b.update.tag);
        if (a.update.tag === b.update.tag || asked.has(key) || !sameSource(a.update.from, b.update.from)) continue;
        asked.add(key);
        asked.add(relationKey(a.target.image, b.update.tag, a.update.tag));
        const relation = await ask(a.update.from, a.update.commit, b.update.commit);
        if (relation === undefined) continue;
        relations.set(key, relation);
        relations.set(relationKey(a.target.image, b.update.tag, a.update.tag), INVERSE[relation]);
      }
    }
  }
  for (const { update, target } of [...byTarget.values()].flat()) {
    const current = target.setOnly ? states.get(target.key)?.lastWrittenTag : currentTagOf(target, lookup, yaml);
    if (current === undefined || current === update.tag) continue;
    const key = relationKey(target.image, current, update.tag);
    if (asked.has(key)) continue;
    asked.add(key);
    const base = commitOfTag(tagTemplateOf(update.from), current);
    if (base === undefined) continue;
    const relation = await ask(update.from, base, update.commit);
    if (relation !== undefined) relations.set(key, relation);
  }
  return relations;
}

/** The relation seen from the other side. */
const INVERSE: Readonly<Record<CommitRelation, CommitRelation>> = { ahead: 'behind', behind: 'ahead', identical: 'identical', diverged: 'diverged' };

const sameSource = (a: TriggerSource, b: TriggerSource): boolean =>
  a.host === b.host && a.repository.toLowerCase() === b.repository.toLowerCase() && a.apiUrl === b.apiUrl;

/** A provider's answer as a FileRead: refused when larger than the limit. */
export function fileReadOf(text: string | undefined, maxBytes: number): FileRead {
  if (text === undefined) return { kind: 'missing' };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    return { kind: 'refused', reason: `${bytes} bytes, larger than limits.maxFileBytes (${maxBytes}); not read` };
  }
  return { kind: 'text', text };
}

/**
 * Push times of the tags a decision compares by push time: the tag in the
 * file, the tag Hoist last wrote and a held tag. Hoist's own record first,
 * then the registry for tags Hoist never saw (remembered for next time).
 */
async function readPushTimes(
  targets: readonly ResolvedTarget[],
  states: ReadonlyMap<string, TargetState>,
  lookup: (repo: string, branch: string, path: string) => string | undefined,
  deps: ReadDeps,
  yaml: YamlSource,
): Promise<Map<string, string>> {
  const wanted = new Map<string, { image: string; tag: string }>();
  const want = (target: ResolvedTarget, tag: string | undefined) => {
    if (tag !== undefined && usesPushTime(target.policy, tag)) wanted.set(tagKey(target.image, tag), { image: target.image, tag });
  };
  for (const target of targets) {
    want(target, currentTagOf(target, lookup, yaml));
    const state = states.get(target.key);
    want(target, state?.lastWrittenTag);
    want(target, state?.heldAbove);
  }
  if (wanted.size === 0) return new Map();
  const known = new Map(await (deps.tagHistory?.pushTimes([...wanted.values()]) ?? Promise.resolve(new Map<string, string>())));
  const learned: Array<{ image: string; tag: string; pushedAt: string }> = [];
  for (const [key, { image, tag }] of wanted) {
    if (known.has(key) || deps.registry === undefined) continue;
    const pushedAt = await deps.registry.pushedAt(image, tag);
    if (pushedAt === undefined) continue;
    known.set(key, pushedAt);
    learned.push({ image, tag, pushedAt });
  }
  if (learned.length > 0) await deps.tagHistory?.record(learned);
  return known;
}

/** How a branch is read and moved: the base branch, an open PR's branch, or a new branch from the base. */
export async function viewOf(provider: GitProvider, repository: RepositoryConfig, branch: string, mode: 'commit' | 'pull-request'): Promise<BranchView> {
  const baseHead = async (): Promise<string> => {
    const head = await provider.branchHead(repository.baseBranch);
    // No retry brings a base branch into being: the config or the repository must change.
    if (head === undefined) throw new TerminalError(`base branch '${repository.baseBranch}' of repository '${repository.name}' does not exist`);
    return head;
  };
  if (mode === 'commit' || branch === repository.baseBranch) {
    if (branch !== repository.baseBranch) throw new TerminalError(`commit-mode target on '${branch}', which is not the base branch of '${repository.name}'`);
    return { commit: await baseHead(), update: 'fast-forward' };
  }
  const pullRequest = await provider.findOpenPullRequest(branch, repository.baseBranch);
  const branchHead = await provider.branchHead(branch);
  if (pullRequest !== undefined && branchHead !== undefined) return { commit: branchHead, update: 'fast-forward', pullRequest };
  // Without pull requests (plain git) the pushed branch itself is the open proposal.
  if (!provider.supportsPullRequests && branchHead !== undefined) return { commit: branchHead, update: 'fast-forward' };
  // A branch left over from a merged or closed PR starts again from the base.
  return { commit: await baseHead(), update: branchHead === undefined ? 'create' : 'reset' };
}
