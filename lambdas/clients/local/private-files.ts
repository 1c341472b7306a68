import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

/** Only the owner may list or enter the dev server's state directory. */
const DIR_MODE = 0o700;
/** Only the owner may read or write a state file: delivery ids and audit records say what the server did. */
const FILE_MODE = 0o600;

/** Creates `dir` (and its parents) if needed, and makes sure it is mode 0700 either way. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
}

/**
 * Replaces `path` with `text` so that a reader, or the next start after a
 * crash, sees either the old file or the new one, never half of each: the
 * text goes to a temporary file that is flushed and then renamed over `path`.
 */
export function writeFileAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', FILE_MODE);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** Opens `path` for appending, created with mode 0600, and makes sure an existing file is 0600 too. */
export function openPrivateAppend(path: string): number {
  const fd = openSync(path, 'a', FILE_MODE);
  chmodSync(path, FILE_MODE);
  return fd;
}

/**
 * The lines of a JSON Lines file, each parsed; a line that is not JSON (the
 * last one, torn by a crash mid-write) is skipped. A missing file has no lines.
 */
export function readJsonLines(path: string): unknown[] {
  if (!existsSync(path)) return [];
  const values: unknown[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      // A torn line from a crash; the entries before it are intact.
    }
  }
  return values;
}
