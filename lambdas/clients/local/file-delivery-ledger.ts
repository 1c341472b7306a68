import { closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { ClaimResult, DeliveryLedger } from '../../core/ports';
import { BoundedMap } from './bounded-map';
import { ensurePrivateDir, openPrivateAppend, readJsonLines, writeFileAtomically } from './private-files';

export interface FileDeliveryLedgerProps {
  /** Directory of the journal, `deliveries.jsonl`; created with mode 0700. */
  readonly dir: string;
  /** How long a completed delivery id is remembered. @default 7 days */
  readonly ttlMs?: number;
  /** How long a claim in progress blocks others before it may be taken over. @default 60 s */
  readonly leaseMs?: number;
  /** Most delivery ids remembered; past it the oldest are forgotten first. @default 50,000 */
  readonly maxEntries?: number;
  /** The time at which entries read back from the journal are checked for expiry. @default the current time */
  readonly now?: Date;
}

const defaultProps = {
  ttlMs: 7 * 24 * 3600_000,
  leaseMs: 60_000,
  maxEntries: 50_000,
} as const;

/** The journal file's name inside `dir`. */
export const DELIVERY_JOURNAL = 'deliveries.jsonl';

/** One journal line: an entry as it now is, or its removal. */
const JournalLineSchema = z.union([
  z.object({ key: z.string(), status: z.enum(['in-progress', 'done']), leaseUntil: z.number(), expiresAt: z.number() }),
  z.object({ key: z.string(), removed: z.literal(true) }),
]);

interface Entry {
  readonly status: 'in-progress' | 'done';
  readonly leaseUntil: number;
  readonly expiresAt: number;
}

/**
 * The dev server's delivery ledger, kept across restarts: the same claim,
 * lease and expiry rules as MemoryDeliveryLedger and the DynamoDB ledger,
 * with every change appended to a JSON Lines journal. Memory and disk stay
 * bounded: at most `maxEntries` ids are kept (the least recently written go
 * first), and the journal is rewritten with only the live entries once it
 * holds about twice as many lines as there are entries.
 */
export class FileDeliveryLedger implements DeliveryLedger {
  /** At most `maxEntries` ids, the least recently written first. */
  private readonly entries: BoundedMap<string, Entry>;
  private readonly path: string;
  private readonly ttlMs: number;
  private readonly leaseMs: number;
  private fd: number;
  private journalLines = 0;
  private latest: number;

  constructor(props: FileDeliveryLedgerProps) {
    const { ttlMs, leaseMs, maxEntries } = { ...defaultProps, ...props };
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`FileDeliveryLedgerProps.maxEntries: expected a positive whole number, got ${maxEntries}`);
    this.ttlMs = ttlMs;
    this.leaseMs = leaseMs;
    this.entries = new BoundedMap(maxEntries);
    this.latest = (props.now ?? new Date()).getTime();
    ensurePrivateDir(props.dir);
    this.path = join(props.dir, DELIVERY_JOURNAL);
    for (const raw of readJsonLines(this.path)) {
      const line = JournalLineSchema.safeParse(raw);
      if (!line.success) continue;
      if ('removed' in line.data) this.entries.delete(line.data.key);
      else this.entries.set(line.data.key, line.data);
    }
    // Starting from a compacted journal also drops a line a crash may have torn.
    this.fd = this.compact();
  }

  /** How many delivery ids are remembered now. */
  get size(): number {
    return this.entries.size;
  }

  async claim(key: string, now: Date): Promise<ClaimResult> {
    const at = this.observe(now);
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt >= at) {
      if (entry.status === 'done') return 'duplicate';
      if (entry.leaseUntil >= at) return 'in-progress';
    }
    this.write(key, { status: 'in-progress', leaseUntil: at + this.leaseMs, expiresAt: at + this.ttlMs });
    return 'claimed';
  }

  async complete(key: string, now: Date): Promise<void> {
    const at = this.observe(now);
    this.write(key, { status: 'done', leaseUntil: 0, expiresAt: at + this.ttlMs });
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.status !== 'in-progress') return;
    this.entries.delete(key);
    this.append({ key, removed: true });
  }

  /** Closes the journal; the ledger must not be used afterwards. */
  close(): void {
    closeSync(this.fd);
  }

  private observe(now: Date): number {
    const at = now.getTime();
    this.latest = Math.max(this.latest, at);
    return at;
  }

  private write(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    this.append({ key, ...entry });
  }

  private append(line: z.infer<typeof JournalLineSchema>): void {
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    this.journalLines += 1;
    // Rewriting costs one line per entry; doing it when the journal doubles keeps that at about one line per change.
    if (this.journalLines > 2 * this.entries.size + 1024) {
      closeSync(this.fd);
      this.fd = this.compact();
    }
  }

  /** Rewrites the journal with the live entries only (expired ones dropped) and opens it for appending. */
  private compact(): number {
    const lines: string[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt < this.latest) this.entries.delete(key);
      else lines.push(`${JSON.stringify({ key, ...entry })}\n`);
    }
    writeFileAtomically(this.path, lines.join(''));
    this.journalLines = lines.length;
    return openPrivateAppend(this.path);
  }
}
