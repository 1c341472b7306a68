import * as z from 'zod';

/* Schemas shared by the promotion and secrets sections of hoist.config.yaml. */

/**
 * Why a file path inside a GitOps repository is refused, or undefined when it
 * is fine. Paths are relative, `/`-separated, and stay inside the work tree:
 * no `..` or `.` segment, no `.git` segment, no backslash or control character.
 */
export function unsafeRepoPathReason(path: string): string | undefined {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'must be relative to the repository root';
  if (path.includes('\\') || [...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    return 'must not contain a backslash or a control character';
  }
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return "must not contain empty, '.' or '..' segments";
  if (segments.some((s) => s.toLowerCase() === '.git')) return "must not reach into '.git'";
  return undefined;
}

/**
 * Why a branch name (template) is not a valid Git branch, following
 * git-check-ref-format: no `..`, `@{`, `//`, leading or trailing `/` or `.`,
 * `.lock` ending, space, control character or any of `~^:?*[\`.
 */
export function unsafeBranchReason(branch: string): string | undefined {
  const text = branch.replace(/\{\w+\}/g, 'x');
  if ([...text].some((c) => c.charCodeAt(0) < 0x21 || c.charCodeAt(0) === 0x7f || '~^:?*[\\'.includes(c))) {
    return 'must not contain spaces, control characters or any of ~^:?*[\\';
  }
  if (text.includes('..') || text.includes('@{') || text.includes('//')) return "must not contain '..', '@{' or '//'";
  if (/^[/.]|[/.]$|\.lock$|\/\./.test(text) || text === '@')
    return "must not start or end with '/' or '.', end in '.lock', or have a component starting with '.'";
  return undefined;
}

/** A file path inside a GitOps repository (target files, marker files). */
export const RepoPathSchema = z
  .string()
  .min(1)
  .max(1024)
  .superRefine((path, ctx) => {
    const reason = unsafeRepoPathReason(path);
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: `'${path}' ${reason}` });
  });

/** The name of an environment variable (where the dev server reads a secret). */
export const EnvNameSchema = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)');

/** A Slack incoming webhook: its URL as a Secrets Manager secret, or locally an environment variable. */
export const SlackDestinationSchema = z
  .object({
    webhookSecretName: z.string().min(1).optional(),
    env: EnvNameSchema.optional(),
  })
  .strict()
  .refine((d) => d.webhookSecretName !== undefined || d.env !== undefined, { message: 'name webhookSecretName or env' });
export type SlackDestination = z.infer<typeof SlackDestinationSchema>;
