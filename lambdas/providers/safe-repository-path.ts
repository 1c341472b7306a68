import { TerminalError } from '../shared/errors';

/**
 * A target file's path as every provider accepts it: relative, `/`-separated,
 * without `.`/`..`/empty segments, outside `.git`, free of NUL, backslash and
 * other control characters. Configuration is validated elsewhere too; this is
 * the last check before a path reaches a Git host or the `git` CLI, so a bad
 * path never becomes a request (`../../etc/passwd` would otherwise leave the
 * repository's API prefix). Answers the path unchanged, or throws a
 * TerminalError naming it.
 */
export function safeRepositoryPath(path: string): string {
  const refuse = (why: string) => new TerminalError(`repository path '${printable(path)}' is refused: ${why}`);
  if (path === '') throw refuse('it is empty');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(path)) throw refuse('it contains a NUL or control character');
  if (path.includes('\\')) throw refuse('it contains a backslash');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw refuse('it is absolute');
  for (const segment of path.split('/')) {
    if (segment === '') throw refuse('it has an empty segment');
    if (segment === '.' || segment === '..') throw refuse(`it has a '${segment}' segment`);
    // Git itself refuses `.git` in any letter case inside trees (case-insensitive file systems).
    if (segment.toLowerCase() === '.git') throw refuse("it has a '.git' segment");
  }
  return path;
}

/** The path with each segment percent-encoded, for REST routes that take the path after a `/`. */
export function encodePathSegments(path: string): string {
  return safeRepositoryPath(path).split('/').map(encodeURIComponent).join('/');
}

/** The path as it can be shown in a message: control characters escaped. */
function printable(path: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes
  return path.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
