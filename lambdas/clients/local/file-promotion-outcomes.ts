import { closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PromotionOutcomeSchema } from '../../core/intake/promotion-outcome-schema';
import type { PromotionOutcome, PromotionOutcomeStore } from '../../core/ports';
import { ensurePrivateDir, openPrivateAppend, readJsonLines, writeFileAtomically } from './private-files';

/** The journal's name inside the state directory. */
export const PROMOTION_OUTCOMES_FILE = 'promotion-outcomes.jsonl';

export interface FilePromotionOutcomeStoreProps {
  /** Directory of the journal; created with mode 0700. */
  readonly dir: string;
  /** How long an outcome is kept after its last update. @default 7 days, as in DynamoDB */
  readonly ttlMs?: number;
  /** Most outcomes kept; past it the least recently written go first. @default 10,000 */
  readonly maxEntries?: number;
  /** The clock that decides expiry. @default the current time */
  readonly now?: () => Date;
}

const defaultProps = { ttlMs: 7 * 24 * 3600_000, maxEntries: 10_000, now: () => new Date() } as const;

/**
 * The dev server's promotion outcomes, kept across restarts as a JSON Lines
 * journal (one line per write, the last line of an id wins). Bounded like
 * the other file stores: at most `maxEntries` outcomes, each for `ttlMs`
 * after its last update, and the journal is rewritten with only the live
 * ones once it holds about twice as many lines.
 */
export class FilePromotionOutcomeStore implements PromotionOutcomeStore {
  private readonly outcomes = new Map<string, PromotionOutcome>();
  private readonly path: string;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => Date;
  private fd: number;
  private lines = 0;

  constructor(props: FilePromotionOutcomeStoreProps) {
    const { ttlMs, maxEntries, now } = { ...defaultProps, ...props };
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`FilePromotionOutcomeStoreProps.maxEntries: expected a positive whole number, got ${maxEntries}`);
    }
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
    this.now = now;
    ensurePrivateDir(props.dir);
    this.path = join(props.dir, PROMOTION_OUTCOMES_FILE);
    for (const raw of readJsonLines(this.path)) {
      // A line this store did not write is skipped, like a torn one.
      const line = PromotionOutcomeSchema.safeParse(raw);
      if (line.success) this.remember(line.data);
    }
    this.fd = this.compact();
  }

  /** How many outcomes are kept now. */
  get size(): number {
    return this.outcomes.size;
  }

  async put(outcome: PromotionOutcome): Promise<void> {
    this.remember(outcome);
    writeSync(this.fd, `${JSON.stringify(outcome)}\n`);
    this.lines += 1;
    if (this.lines > 2 * this.outcomes.size + 1024) {
      closeSync(this.fd);
      this.fd = this.compact();
    }
  }

  async get(id: string): Promise<PromotionOutcome | undefined> {
    const outcome = this.outcomes.get(id);
    return outcome !== undefined && !this.expired(outcome) ? outcome : undefined;
  }

  /** Closes the journal; the store must not be used afterwards. */
  close(): void {
    closeSync(this.fd);
  }

  private expired(outcome: PromotionOutcome): boolean {
    return Date.parse(outcome.updatedAt) + this.ttlMs < this.now().getTime();
  }

  /** Keeps `outcome` as the newest one, forgetting the oldest past the cap. */
  private remember(outcome: PromotionOutcome): void {
    this.outcomes.delete(outcome.id);
    this.outcomes.set(outcome.id, outcome);
    for (const oldest of this.outcomes.keys()) {
      if (this.outcomes.size <= this.maxEntries) break;
      this.outcomes.delete(oldest);
    }
  }

  /** Rewrites the journal with the live outcomes only and opens it for appending. */
  private compact(): number {
    const lines: string[] = [];
    for (const [id, outcome] of this.outcomes) {
      if (this.expired(outcome)) this.outcomes.delete(id);
      else lines.push(`${JSON.stringify(outcome)}\n`);
    }
    writeFileAtomically(this.path, lines.join(''));
    this.lines = lines.length;
    return openPrivateAppend(this.path);
  }
}
