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

  isAncestor(ancestor: string, of: string): boolean {
    const stack = [of];
    while (stack.length > 0) {
      const sha = stack.pop() as string;
      if (sha === ancestor) return true;
      stack.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return false;
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
