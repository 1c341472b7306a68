import { lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ScaffoldFile } from './render-scaffold';

/** What writing one file would do. */
export type FileAction = 'create' | 'change' | 'unchanged';

export interface ScaffoldPlan {
  readonly outDir: string;
  readonly files: ReadonlyArray<ScaffoldFile & { readonly action: FileAction }>;
}

/** Something in the way of a file: a directory, a symbolic link, a special file. */
export class ScaffoldBlockedError extends Error {
  override readonly name = 'ScaffoldBlockedError';
}

/**
 * What writing `files` into `outDir` would do, file by file, without
 * writing. A symbolic link on the way (the directory itself, a folder, a
 * file) is refused: the scaffold writes only inside the directory named.
 */
export function planScaffold(outDir: string, files: readonly ScaffoldFile[]): ScaffoldPlan {
  const root = resolve(outDir);
  const kindOf = (path: string): 'missing' | 'file' | 'directory' => {
    let stats: ReturnType<typeof lstatSync>;
    try {
      stats = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
    if (stats.isSymbolicLink()) throw new ScaffoldBlockedError(`${path} is a symbolic link; the scaffold writes only real files and folders`);
    if (stats.isDirectory()) return 'directory';
    if (stats.isFile()) return 'file';
    throw new ScaffoldBlockedError(`${path} is neither a file nor a folder`);
  };
  if (kindOf(root) === 'file') throw new ScaffoldBlockedError(`${root} is a file, not a folder`);
  return {
    outDir: root,
    files: files.map((file) => {
      const segments = file.path.split('/');
      if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new Error(`scaffold path ${file.path} is not a plain relative path`);
      for (let i = 1; i < segments.length; i += 1) {
        const folder = join(root, ...segments.slice(0, i));
        if (kindOf(folder) === 'file') throw new ScaffoldBlockedError(`${folder} is a file where the scaffold needs a folder`);
      }
      const target = join(root, ...segments);
      const kind = kindOf(target);
      if (kind === 'directory') throw new ScaffoldBlockedError(`${target} is a folder where the scaffold writes a file`);
      const action: FileAction = kind === 'missing' ? 'create' : readFileSync(target, 'utf8') === file.content ? 'unchanged' : 'change';
      return { ...file, action };
    }),
  };
}

/** Writes the files the plan creates or changes; `unchanged` ones are left alone. */
export function applyScaffold(plan: ScaffoldPlan): void {
  for (const file of plan.files) {
    if (file.action === 'unchanged') continue;
    const target = join(plan.outDir, ...file.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}
