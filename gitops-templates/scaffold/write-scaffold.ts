import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ScaffoldFile } from './render-scaffold';

/**
 * What writing one file does: `create` a missing one, `change` one of the
 * scaffold's own files that differs (only with consent), leave one as it is
 * (`unchanged`), or `keep` a seed file that differs: it is the repository's.
 */
export type FileAction = 'create' | 'change' | 'unchanged' | 'keep';

export interface PlannedFile extends ScaffoldFile {
  readonly action: FileAction;
  /** What is in the folder now, for a `change`. */
  readonly current?: string;
}

export interface ScaffoldPlan {
  readonly outDir: string;
  readonly files: readonly PlannedFile[];
  /** Every file in the folder, relative, `/`-separated (for finding stale ones). */
  readonly existing: readonly string[];
}

/** Something in the way of a file: a directory, a symbolic link, a special file, a folder it may not write. */
export class ScaffoldBlockedError extends Error {
  override readonly name = 'ScaffoldBlockedError';
}

type EntryKind = 'missing' | 'file' | 'directory';

function kindOf(path: string): EntryKind {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  if (stats.isSymbolicLink())
    throw new ScaffoldBlockedError(`${path} is a symbolic link; the scaffold writes only real files and folders inside the folder named`);
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  throw new ScaffoldBlockedError(`${path} is neither a file nor a folder`);
}

/**
 * What writing `files` into `outDir` would do, file by file, without
 * writing. The folder named may be reached through symbolic links (it is
 * resolved first); inside it, a symbolic link in the way is refused, so
 * nothing is written outside it.
 */
export function planScaffold(outDir: string, files: readonly ScaffoldFile[]): ScaffoldPlan {
  const root = resolveExisting(resolve(outDir));
  const rootKind = kindOf(root);
  if (rootKind === 'file') throw new ScaffoldBlockedError(`${root} is a file, not a folder`);
  return {
    outDir: root,
    existing: rootKind === 'directory' ? listFiles(root) : [],
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
      if (kind === 'missing') return { ...file, action: 'create' };
      const current = readFileSync(target, 'utf8');
      if (current === file.content) return { ...file, action: 'unchanged' };
      return file.owner === 'seed' ? { ...file, action: 'keep' } : { ...file, action: 'change', current };
    }),
  };
}

/** The path with its longest existing prefix resolved through symbolic links (the folder named may not exist yet). */
function resolveExisting(path: string): string {
  const parent = dirname(path);
  try {
    return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === path) throw error;
    return join(resolveExisting(parent), path.slice(parent.length + 1));
  }
}

function listFiles(root: string): string[] {
  const walk = (dir: string, prefix: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (entry.name === '.git') return [];
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) return walk(join(dir, entry.name), path);
      return entry.isFile() ? [path] : [];
    });
  return walk(root, '').sort();
}

/**
 * Writes the files the plan creates, and the ones it changes when `force`.
 * Every target is checked for write access first, so a folder it may not
 * write stops it before the first file.
 */
export function applyScaffold(plan: ScaffoldPlan, force: boolean): string[] {
  const todo = plan.files.filter((f) => f.action === 'create' || (force && f.action === 'change'));
  const denied = todo.flatMap((file) => {
    const target = join(plan.outDir, ...file.path.split('/'));
    let probe = target;
    while (kindOf(probe) === 'missing') probe = dirname(probe);
    try {
      accessSync(probe, probe === target ? constants.W_OK : constants.W_OK | constants.X_OK);
      return [];
    } catch {
      return [`${probe}${probe === target ? '' : ' (folder)'}`];
    }
  });
  if (denied.length > 0) throw new ScaffoldBlockedError(`may not write ${[...new Set(denied)].join(', ')}; nothing written`);
  const written: string[] = [];
  for (const file of todo) {
    const target = join(plan.outDir, ...file.path.split('/'));
    try {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    } catch (error) {
      throw new ScaffoldBlockedError(`wrote ${written.length} of ${todo.length} file(s), then ${file.path}: ${(error as Error).message}`);
    }
    written.push(file.path);
  }
  return written;
}
