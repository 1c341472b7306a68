/** Where a command writes, and whether it may colour its text. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** What `hoist` exits with. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** Nothing to do, no change, or nothing found: not a failure, but a script may want to know. */
  nothing: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The command line asks for something that cannot be (an unknown service, a malformed tag …): exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The options every command takes. */
export interface GlobalOptions {
  readonly config?: string;
  readonly state?: string;
  readonly table?: string;
  readonly json?: boolean;
}

/** ANSI styles, applied only when stdout is a terminal, `--json` is off and NO_COLOR is unset. */
export interface Styles {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly green: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function stylesFor(io: CliIo, json: boolean): Styles {
  const colour = io.stdout.isTTY === true && !json && (io.env.NO_COLOR ?? '') === '';
  if (!colour) return { bold: plain, dim: plain, green: plain, red: plain, yellow: plain, cyan: plain };
  return { bold: ansi(1, 22), dim: ansi(2, 22), green: ansi(32, 39), red: ansi(31, 39), yellow: ansi(33, 39), cyan: ansi(36, 39) };
}

/** Writes a value as one JSON document on stdout. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Lays rows out in columns padded to the widest cell (the last column is not padded). */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, style: (text: string) => string = plain): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [style(line(header)), ...rows.map(line)].map((l) => `${l}\n`).join('');
}
