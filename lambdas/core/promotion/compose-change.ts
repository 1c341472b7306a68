import type { PlannedChange, Promotion } from './plan-promotions';
import { type ResolvedTarget, renderTemplate } from './targets';

/**
 * Groups the edits of one plan into one change per repository branch: the
 * edited files, one commit message (subject, a line per promotion,
 * `Hoist-Target:` trailers) and the PR title, labels and auto-merge wish.
 */
export function composeChanges(
  edits: ReadonlyArray<{ readonly target: ResolvedTarget; readonly promotion: Promotion }>,
  finalText: (target: ResolvedTarget) => string,
): PlannedChange[] {
  const groups = new Map<string, Array<{ target: ResolvedTarget; promotion: Promotion }>>();
  for (const edit of edits) {
    const key = `${edit.target.repository.name}\u0000${edit.target.branch}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [edit]);
    else group.push(edit);
  }
  return [...groups.values()].map((group) => composeChange(group, finalText));
}

function composeChange(group: ReadonlyArray<{ target: ResolvedTarget; promotion: Promotion }>, finalText: (target: ResolvedTarget) => string): PlannedChange {
  const [first] = group;
  if (first === undefined) throw new Error('a change needs at least one edit');
  const { target } = first;
  const promotions = group.map((g) => g.promotion);
  // Two targets of one image in one file read the same; a commit says it once.
  const lines = [
    ...new Set(
      group.map(({ target: t, promotion: p }) =>
        renderTemplate(t.commitMessage, {
          image: p.image,
          service: p.service,
          oldTag: p.fromTag ?? '(none)',
          newTag: p.toTag,
          environment: p.environment,
          source: p.source,
        }),
      ),
    ),
  ];
  const images = new Set(promotions.map((p) => p.image)).size;
  // One image to one tag (its tag and the values beside it) reads as that one bump.
  const oneBump = images === 1 && new Set(promotions.map((p) => p.toTag)).size === 1;
  const subject = lines.length === 1 || oneBump ? (lines[0] as string) : `chore: promote ${images} image${images === 1 ? '' : 's'} on ${target.branch}`;
  const skipCi = group.some((g) => g.target.skipCi);
  const body = lines.length === 1 ? '' : `\n\n${lines.map((l) => `- ${l}`).join('\n')}`;
  const trailer = `\n\nPromoted-By: hoist\n${promotions.map((p) => `Hoist-Target: ${p.targetKey} ${p.toTag}`).join('\n')}`;
  const files = new Map<string, string>();
  for (const g of group) files.set(g.target.file, finalText(g.target));
  return {
    repository: target.repository.name,
    branch: target.branch,
    baseBranch: target.repository.baseBranch,
    mode: target.mode,
    files: [...files].map(([path, content]) => ({ path, content })),
    commitMessage: `${subject}${skipCi ? ' [skip ci]' : ''}${body}${trailer}`,
    title: subject,
    promotions,
    labels: [...new Set(group.flatMap((g) => g.target.labels))],
    autoMerge: group.some((g) => g.target.autoMerge),
  };
}
