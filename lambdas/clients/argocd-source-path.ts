/**
 * Whether an Argo CD application whose source has `sourcePath` deploys the
 * file at `filePath` (both relative to the repository root): the file's
 * directory is the source path or lies under it.
 */
export function isUnderSourcePath(sourcePath: string, filePath: string): boolean {
  const dir = filePath.includes('/') ? filePath.slice(0, filePath.lastIndexOf('/')) : '';
  const root = sourcePath.replace(/\/$/, '');
  return dir === root || dir.startsWith(`${root}/`);
}
