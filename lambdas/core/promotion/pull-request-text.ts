import type { PromotionConfig } from '../config/promotion-config';
import type { PlannedChange, Promotion } from './plan-promotions';
import { type FileLookup, renderTemplate, targetsOf } from './targets';

/** One row of the table in a Hoist PR/MR description: one target and the tags it moves between. */
export interface PromotionRow {
  readonly service: string;
  readonly environment: string;
  /** The tag the base branch has; undefined when the target had none. */
  readonly from?: string;
  readonly to: string;
  readonly trigger: string;
}

/** A PR/MR description split around Hoist's table; `above` and `below` are kept as they are. */
export interface PullRequestBodyParts {
  /** Everything before the table's header line, line break included (Hoist's intro and whatever a person wrote). */
  readonly above: string;
  readonly rows: readonly PromotionRow[];
  /** Everything after the table's last row, from the line break that ends it. */
  readonly below: string;
  /** The line break the description uses (`\r\n` once a browser has edited it). */
  readonly eol: string;
  /** Whether the description has Hoist's table at all. */
  readonly table: boolean;
}

export interface PullRequestText {
  readonly title: string;
  readonly body: string;
}

const INTRO = 'Promotion opened by Hoist.';
const HEADER = ['service', 'environment', 'from', 'to', 'trigger'] as const;
const NO_TAG = '-';

/** The rows for a change's promotions, in order. */
export function rowsOf(promotions: readonly Promotion[]): PromotionRow[] {
  return promotions.map((p) => ({
    service: p.service,
    environment: p.environment,
    ...(p.fromTag === undefined ? {} : { from: p.fromTag }),
    to: p.toTag,
    trigger: p.source,
  }));
}

/** The description of a new PR/MR: Hoist's intro and the table of what it promotes. */
export function describeRows(rows: readonly PromotionRow[]): string {
  return [INTRO, '', ...tableLines(rows)].join('\n');
}

/**
 * Finds the table Hoist wrote (its header, divider and the `|` lines after
 * them) in a description. Lines of the table that are not rows Hoist could
 * have written are dropped; a description without the table is all `above`.
 */
export function parsePullRequestBody(body: string): PullRequestBodyParts {
  const lines = body.split('\n');
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const text = (line: string) => line.replace(/\r$/, '');
  const header = lines.findIndex((line, i) => isHeader(text(line)) && isDivider(text(lines[i + 1] ?? '')));
  if (header === -1) return { above: body, rows: [], below: '', eol, table: false };
  const inTable = (line: string | undefined) => line !== undefined && text(line).trimStart().startsWith('|');
  let end = header + 2;
  while (inTable(lines[end])) end += 1;
  const rows = lines
    .slice(header + 2, end)
    .map((line) => rowOf(text(line)))
    .filter((row): row is PromotionRow => row !== undefined);
  const above = lines
    .slice(0, header)
    .map((line) => `${line}\n`)
    .join('');
  // The line break that ends the table's last line belongs to what follows it.
  const below = end < lines.length ? `${(lines[end - 1] as string).endsWith('\r') ? '\r\n' : '\n'}${lines.slice(end).join('\n')}` : '';
  return { above, rows, below, eol, table: true };
}

/**
 * The rows a branch promotes once `incoming` lands on it: a row of another
 * target stays; rows of the same service and environment give way to the
 * incoming ones in the first one's place, which keep that row's `from` (the
 * tag the base branch still has); other incoming rows are added at the end.
 */
export function mergeRows(current: readonly PromotionRow[], incoming: readonly PromotionRow[]): PromotionRow[] {
  const keyOf = (row: PromotionRow) => `${row.service}\u0000${row.environment}`;
  const incomingKeys = new Set(incoming.map(keyOf));
  const placed = new Set<string>();
  const merged: PromotionRow[] = [];
  for (const row of current) {
    const key = keyOf(row);
    if (!incomingKeys.has(key)) {
      merged.push(row);
      continue;
    }
    if (placed.has(key)) continue;
    placed.add(key);
    for (const next of incoming.filter((r) => keyOf(r) === key)) merged.push(withFrom(next, row.from));
  }
  return [...merged, ...incoming.filter((row) => !placed.has(keyOf(row)))];
}

/**
 * The title of a PR/MR that promotes `rows` on `branch`. One image to one tag
 * reads as that one bump (`lineOf` renders it, as the commit message would),
 * like the subject of a commit (compose-change.ts); else the images are
 * counted. The table names each image by its service, so services are counted.
 */
export function pullRequestTitle(rows: readonly PromotionRow[], branch: string, lineOf: (row: PromotionRow) => string): string {
  const [first] = rows;
  const images = new Set(rows.map((r) => r.service)).size;
  if (first !== undefined && images === 1 && new Set(rows.map((r) => r.to)).size === 1) return lineOf(first);
  return `chore: promote ${images} image${images === 1 ? '' : 's'} on ${branch}`;
}

/**
 * Says one row's bump as its target's commit message template does, from the
 * row's own tags (a bump on an open PR starts from the tag the base branch
 * has, not from the one the PR branch had before it); the change's title when
 * the template cannot be found. `files` reads marker files, as planning did.
 */
export function bumpLineOf(config: PromotionConfig, change: Pick<PlannedChange, 'title' | 'promotions'>, files: FileLookup): (row: PromotionRow) => string {
  const templateOf = (promotion: Promotion): string | undefined => {
    try {
      return targetsOf(config, promotion.image, promotion.toTag, undefined, files, promotion.environment).find((t) => t.key === promotion.targetKey)
        ?.commitMessage;
    } catch {
      // A marker file that no longer parses: the change's title says it.
      return undefined;
    }
  };
  return (row) => {
    const promotion =
      change.promotions.find((p) => p.service === row.service && p.environment === row.environment) ?? change.promotions.find((p) => p.service === row.service);
    const template = promotion === undefined ? undefined : templateOf(promotion);
    if (promotion === undefined || template === undefined) return change.title;
    return renderTemplate(template, {
      image: promotion.image,
      service: row.service,
      oldTag: row.from ?? '(none)',
      newTag: row.to,
      environment: row.environment,
      source: row.trigger,
    });
  };
}

/**
 * The title and description of an open PR/MR once `incoming` lands on its
 * branch: the table of `body` merged with the new rows (see mergeRows), the
 * text around the table kept, and the title of the merged rows.
 */
export function updatedPullRequestText(
  body: string,
  branch: string,
  incoming: readonly PromotionRow[],
  lineOf: (row: PromotionRow) => string,
): PullRequestText {
  const parts = parsePullRequestBody(body);
  const rows = mergeRows(parts.rows, incoming);
  // No table left (a person removed it): the table goes after their text, a blank line between.
  const text = parts.above.trimEnd();
  const above = parts.table ? parts.above : text === '' ? '' : `${text}${parts.eol}${parts.eol}`;
  return { title: pullRequestTitle(rows, branch, lineOf), body: `${above}${tableLines(rows).join(parts.eol)}${parts.below}` };
}

const withFrom = (row: PromotionRow, from: string | undefined): PromotionRow => ({
  service: row.service,
  environment: row.environment,
  ...(from === undefined ? {} : { from }),
  to: row.to,
  trigger: row.trigger,
});

function tableLines(rows: readonly PromotionRow[]): string[] {
  const cells = rows.map((r) => `| ${r.service} | ${r.environment} | \`${r.from ?? NO_TAG}\` | \`${r.to}\` | ${r.trigger} |`);
  return [`| ${HEADER.join(' | ')} |`, `|${' --- |'.repeat(HEADER.length)}`, ...cells];
}

/** The cells of a `| a | b |` line, trimmed. */
const cellsOf = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());

const isHeader = (line: string): boolean => cellsOf(line).join('|') === HEADER.join('|');
const isDivider = (line: string): boolean => /^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(line);
const unquote = (cell: string): string => cell.replace(/^`(.*)`$/, '$1');

/** A row as `describeRows` writes it; undefined for a line it cannot have written. */
function rowOf(line: string): PromotionRow | undefined {
  const cells = cellsOf(line);
  if (cells.length < HEADER.length) return undefined;
  const [service, environment, from, to] = cells.map(unquote);
  if (!service || !environment || !from || !to) return undefined;
  // A trigger with a `|` in it spans the remaining cells.
  const trigger = cells.slice(4).join(' | ');
  return { service, environment, ...(from === NO_TAG ? {} : { from }), to, trigger };
}
