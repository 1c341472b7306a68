import { benchBundles } from './bundles';
import { benchEventToCommit, type FloorRow } from './end-to-end';
import { benchDevServer, benchDevServerMemory, benchWebhookHandler } from './intake';
import { benchBumpEngine, benchPlanning } from './promotion';
import { printTable } from './stats';

/**
 * `npm run bench`: measures, prints Markdown tables, asserts nothing.
 * Figures depend on the machine; README.md lists those of a 2-core box.
 * Figures with a floor are printed beside that floor, measured in the same
 * run (in alternation where it can be), and their ratio.
 */
const bundles = benchBundles();
const bump = benchBumpEngine();
const handler = await benchWebhookHandler();
const floorRows: FloorRow[] = [
  ...bump.floorRows,
  ...benchPlanning(),
  ...(await benchEventToCommit()),
  handler.floorRow,
  ...(await benchDevServer()),
  ...bundles.imports,
];
const rows: Array<[string, string]> = [...handler.rows, ...(await benchDevServerMemory()), ...bump.rows, ...bundles.sizes];
printFloorTable(floorRows);
process.stdout.write('\n');
printTable(rows);

/** Prints figures with their floors as a Markdown table, ready to paste into README.md: measure | value | floor | ratio | how. */
function printFloorTable(figures: readonly FloorRow[]): void {
  const format = (value: number, unit: string) => `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
  printRows(
    ['measure', 'value', 'floor', 'ratio', 'how'],
    figures.map((f) => [f.name, format(f.value, f.unit), format(f.floor, f.unit), `${f.ratio.toFixed(2)}×`, f.note ?? '']),
  );
}

function printRows(header: readonly string[], body: ReadonlyArray<readonly string[]>): void {
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |\n`;
  process.stdout.write(line(header));
  process.stdout.write(line(widths.map((w) => '-'.repeat(w))));
  for (const row of body) process.stdout.write(line(row));
}
