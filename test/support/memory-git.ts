import { createHash } from 'node:crypto';

export interface MemoryCommit {
  readonly sha: string;
  readonly tree: ReadonlyMap<string, string>;
  readonly parents: readonly string[];
  readonly message: string;
}

/** The repository model behind the Git host fakes: commits, branches, ancestry. */
export class MemoryGit {
  readonly commits = new Map<string, MemoryCommit>();
  readonly refs = new Map<string, string>();

  constructor(files: Record<string, string>) {
    this.refs.set('main', this.addCommit(new Map(Object.entries(files)), [], 'seed'));
  }

  addCommit(tree: ReadonlyMap<string, string>, parents: readonly string[], message: string): string {
    const sha = createHash('sha1')
      .update(`${message}${parents.join()}${JSON.stringify([...tree])}${this.commits.size}`)
      .digest('hex');
    this.commits.set(sha, { sha, tree, parents, message });
    return sha;
  }

  /** A new commit on top of `parent` with `files` replaced. */
  commitOnto(parent: string, files: ReadonlyArray<{ path: string; content: string }>, message: string): string {
    const tree = new Map(this.commits.get(parent)?.tree ?? []);
    for (const file of files) tree.set(file.path, file.content);
    return this.addCommit(tree, [parent], message);
  }

  /**
   * A merge commit with parents `[base, head]`: the base's files with the
   * head's laid over them. There is no conflict detection; a fake says when
   * a PR conflicts because a test told it to.
   */
  mergeCommit(base: string, head: string, message: string): string {
    const tree = new Map([...(this.commits.get(base)?.tree ?? []), ...(this.commits.get(head)?.tree ?? [])]);
    return this.addCommit(tree, [base, head], message);
  }

  isAncestor(ancestor: string, of: string): boolean {
    const stack = [of];
    while (stack.length > 0) {
      const sha = stack.pop() as string;
      if (sha === ancestor) return true;
      stack.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return false;
  }

  /** A branch, a commit id, or a unique abbreviation of one (at least 4 hex digits), as hosts resolve a ref. */
  resolve(ref: string): string | undefined {
    const branch = this.refs.get(ref);
    if (branch !== undefined) return branch;
    if (!/^[0-9a-f]{4,40}$/.test(ref)) return undefined;
    const found = [...this.commits.keys()].filter((sha) => sha.startsWith(ref));
    return found.length === 1 ? found[0] : undefined;
  }

  /** Commits reachable from `to` and not from `from` (`git log from..to`), newest first. */
  commitsBetween(from: string, to: string): string[] {
    const reachable = (start: string) => {
      const seen = new Set<string>();
      const stack = [start];
      while (stack.length > 0) {
        const sha = stack.pop() as string;
        if (seen.has(sha)) continue;
        seen.add(sha);
        stack.push(...(this.commits.get(sha)?.parents ?? []));
      }
      return seen;
    };
    const excluded = reachable(from);
    return [...reachable(to)].filter((sha) => !excluded.has(sha));
  }

  /** A commit on top of `parent` that no branch points at (a build of a side line, or a branch since deleted). */
  commitAfter(parent: string, message: string): string {
    return this.commitOnto(parent, [], message);
  }

  /** Whether `path` differs between two commits. */
  fileChanged(path: string, from: string, to: string): boolean {
    return this.commits.get(from)?.tree.get(path) !== this.commits.get(to)?.tree.get(path);
  }

  fileAt(branch: string, path: string): string | undefined {
    return this.commits.get(this.refs.get(branch) ?? '')?.tree.get(path);
  }

  messagesOf(branch: string): string[] {
    const out: string[] = [];
    let sha = this.refs.get(branch);
    while (sha !== undefined) {
      const commit = this.commits.get(sha);
      out.push(commit?.message.split('\n')[0] ?? '');
      sha = commit?.parents[0];
    }
    return out;
  }

  /** A person's commit on a branch, moving it outside Hoist. */
  pushAsPerson(branch: string, files: Record<string, string>, message: string): void {
    const parent = this.refs.get(branch) as string;
    this.refs.set(
      branch,
      this.commitOnto(
        parent,
        Object.entries(files).map(([path, content]) => ({ path, content })),
        message,
      ),
    );
  }
}
