import { createTwoFilesPatch } from 'diff';
import type { EventEnvelope } from '../lambdas/core/events';
import { PromotionRequestedSchema } from '../lambdas/core/events';
import { planPromotions } from '../lambdas/core/promotion/plan-promotions';
import { fileKey, readWorkspace, relationKey, tagKey } from '../lambdas/core/promotion/read-workspace';
import { batchWorkOf } from '../lambdas/core/promotion/triggers';
import type { CliDeps } from '../lambdas/wiring/cli';
import { type Styles, UsageError } from './cli-io';

export interface PlanRequest {
  /** `registry/repository`, as the config's `images[].image` names it. */
  readonly image: string;
  readonly tag: string;
}

/** What `hoist plan` found: per change the diff of each file, and every no-op and failure with its reason. */
export interface PlanReport {
  readonly image: string;
  readonly tag: string;
  readonly changes: ReadonlyArray<{
    readonly repository: string;
    readonly branch: string;
    readonly baseBranch: string;
    readonly mode: 'commit' | 'pull-request';
    readonly title: string;
    readonly promotions: ReadonlyArray<{
      readonly service: string;
      readonly environment: string;
      readonly file: string;
      readonly fromTag?: string;
      readonly toTag: string;
    }>;
    readonly files: ReadonlyArray<{ readonly path: string; readonly diff: string }>;
  }>;
  readonly noops: ReadonlyArray<{ readonly environment?: string; readonly targetKey?: string; readonly reason: string }>;
  readonly failures: ReadonlyArray<{ readonly environment?: string; readonly targetKey?: string; readonly file?: string; readonly reason: string }>;
}

/**
 * A dry run of the promoter for one image tag: the event a `POST /promotions`
 * request would queue, turned into an ImageUpdate by the promoter's own
 * `batchWorkOf`, then the promoter's read and plan steps. Nothing is
 * committed, pushed, recorded or announced.
 */
export async function planImage(request: PlanRequest, deps: CliDeps): Promise<PlanReport> {
  const envelope = promotionEnvelope(request, deps.now());
  const work = batchWorkOf(deps.config, [envelope]);
  const workspace = await readWorkspace(work.updates, deps);
  const plan = planPromotions({
    config: deps.config,
    updates: work.updates,
    fileOf: (repo, branch, path) => workspace.files.get(fileKey(repo, branch, path)) ?? { kind: 'missing' },
    stateOf: (key) => workspace.states.get(key),
    pushedAtOf: (image, tag) => workspace.pushTimes.get(tagKey(image, tag)),
    relationOf: (image, currentTag, newTag) => workspace.commitRelations.get(relationKey(image, currentTag, newTag)),
    yaml: workspace.yaml,
  });
  const before = (repository: string, branch: string, path: string) => {
    const read = workspace.files.get(fileKey(repository, branch, path));
    return read?.kind === 'text' ? read.text : '';
  };
  return {
    image: request.image,
    tag: request.tag,
    changes: plan.changes.map((change) => ({
      repository: change.repository,
      branch: change.branch,
      baseBranch: change.baseBranch,
      mode: change.mode,
      title: change.title,
      promotions: change.promotions.map((p) => ({
        service: p.service,
        environment: p.environment,
        file: p.file,
        ...(p.fromTag ? { fromTag: p.fromTag } : {}),
        toTag: p.toTag,
      })),
      files: change.files.map((file) => ({ path: file.path, diff: unifiedDiff(file.path, before(change.repository, change.branch, file.path), file.content) })),
    })),
    noops: [...work.noops, ...plan.noops].map((n) => ({
      ...(n.environment ? { environment: n.environment } : {}),
      ...(n.targetKey ? { targetKey: n.targetKey } : {}),
      reason: n.reason,
    })),
    failures: plan.failures.map((f) => ({
      ...(f.environment ? { environment: f.environment } : {}),
      ...(f.targetKey ? { targetKey: f.targetKey } : {}),
      ...(f.file ? { file: f.file } : {}),
      reason: f.reason,
    })),
  };
}

/**
 * The envelope a `POST /promotions` request for this tag would put on the
 * queue. The tag and image are checked by the event schema, so a malformed
 * one is a usage error naming the option.
 */
function promotionEnvelope(request: PlanRequest, now: Date): EventEnvelope {
  const slash = request.image.indexOf('/');
  if (slash <= 0) throw new UsageError(`--image: expected <registry>/<repository>, got '${request.image}'`);
  const at = now.toISOString();
  const parsed = PromotionRequestedSchema.safeParse({
    type: 'promotion.requested',
    registry: request.image.slice(0, slash),
    repository: request.image.slice(slash + 1),
    tag: request.tag,
    source: 'hoist plan',
    requestedAt: at,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = issue?.path[0] === 'tag' ? '--tag' : '--image';
    throw new UsageError(`${option}: ${issue?.message ?? 'invalid'}`);
  }
  return { id: `cli:plan@${at}`, host: 'ci', deliveryId: `plan@${at}`, receivedAt: at, event: parsed.data };
}

/** A unified diff of one file, without the `====` banner line. */
function unifiedDiff(path: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 });
  const text = patch.replace(/^=+\n/, '');
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** `hoist plan` for people: each change with its diffs, then the no-ops and failures. */
export function formatPlan(report: PlanReport, styles: Styles): string {
  const out: string[] = [];
  for (const change of report.changes) {
    const where = change.mode === 'commit' ? `commit to ${change.branch}` : `pull request ${change.branch} -> ${change.baseBranch}`;
    out.push(`${styles.bold(`${change.repository}: ${where}`)}\n`);
    for (const p of change.promotions) out.push(`  ${p.service} ${p.environment}: ${p.fromTag ?? '-'} -> ${p.toTag} (${p.file})\n`);
    for (const file of change.files) out.push(colourDiff(file.diff, styles));
  }
  for (const noop of report.noops) out.push(`${styles.yellow('no change')} ${noop.environment ?? report.image}: ${noop.reason}\n`);
  for (const failure of report.failures) out.push(`${styles.red('failed')} ${failure.environment ?? report.image}: ${failure.reason}\n`);
  return out.join('');
}

function colourDiff(diff: string, styles: Styles): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return styles.bold(line);
      if (line.startsWith('@@')) return styles.cyan(line);
      if (line.startsWith('+')) return styles.green(line);
      if (line.startsWith('-')) return styles.red(line);
      return line;
    })
    .join('\n');
}
