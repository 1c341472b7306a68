import { closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { MemoryTagHistory } from './memory-tag-history';
import { ensurePrivateDir, openPrivateAppend, readJsonLines, writeFileAtomically } from './private-files';

/** The file's name inside the state directory. */
export const TAG_HISTORY_FILE = 'tag-history.jsonl';

const EntrySchema = z.object({ image: z.string(), tag: z.string(), pushedAt: z.string() }).strict();

/**
 * The dev server's tag history, kept across restarts as JSON Lines: one line
 * per tag first seen, at most `limit` tags (the oldest recorded go first);
 * the file is rewritten when it holds twice that many lines.
 */
export class FileTagHistory extends MemoryTagHistory {
  private readonly path: string;
  private fd: number;
  private lines = 0;

  constructor(options: { readonly dir: string; readonly limit?: number }) {
    super(options.limit ?? 50_000);
    ensurePrivateDir(options.dir);
    this.path = join(options.dir, TAG_HISTORY_FILE);
    const entries = readJsonLines(this.path).flatMap((value) => {
      const entry = EntrySchema.safeParse(value);
      return entry.success ? [entry.data] : [];
    });
    void super.record(entries);
    this.lines = entries.length;
    this.fd = openPrivateAppend(this.path);
  }

  override async record(entries: ReadonlyArray<{ image: string; tag: string; pushedAt: string }>): Promise<void> {
    const fresh = entries.filter((e) => !this.times.has(`${e.image}\u0000${e.tag}`));
    await super.record(fresh);
    for (const entry of fresh) writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.lines += fresh.length;
    if (this.lines > 2 * this.times.size && this.lines > 1000) this.compact();
  }

  close(): void {
    closeSync(this.fd);
  }

  private compact(): void {
    const text = [...this.times].map(([key, pushedAt]) => {
      const [image, tag] = key.split('\u0000');
      return `${JSON.stringify({ image, tag, pushedAt })}\n`;
    });
    closeSync(this.fd);
    writeFileAtomically(this.path, text.join(''));
    this.fd = openPrivateAppend(this.path);
    this.lines = this.times.size;
  }
}
