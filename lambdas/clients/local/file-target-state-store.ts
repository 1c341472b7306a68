import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { TargetState } from '../../core/promotion/plan-promotions';
import { formatZodIssues, TerminalError } from '../../shared/errors';
import { MemoryTargetStateStore } from './memory-promotion-stores';
import { ensurePrivateDir, writeFileAtomically } from './private-files';

/** The file's name inside the state directory. */
export const TARGET_STATES_FILE = 'target-states.json';

const TargetStateSchema = z.object({ lastWrittenTag: z.string().optional(), heldAbove: z.string().optional() }).strict();

/** `target-states.json`: one state per target key. */
const TargetStatesFileSchema = z.object({ version: z.literal(1), states: z.record(z.string(), TargetStateSchema) }).strict();

/**
 * The dev server's target states (what Hoist last wrote, revert holds), kept
 * across restarts in one JSON file that each change replaces atomically.
 * There is one state per configured target, so the file stays small. Reads
 * are the in-memory store's; each write also replaces the file.
 */
export class FileTargetStateStore extends MemoryTargetStateStore {
  private readonly path: string;

  /** Reads `dir/target-states.json`; a file that is not what this store writes is a TerminalError naming it. */
  constructor(dir: string) {
    super();
    ensurePrivateDir(dir);
    this.path = join(dir, TARGET_STATES_FILE);
    if (!existsSync(this.path)) return;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new TerminalError(`${this.path} is not valid JSON; fix or delete it (revert holds are forgotten then)`, { cause: error });
    }
    const result = TargetStatesFileSchema.safeParse(raw);
    if (!result.success) {
      throw new TerminalError(`${this.path} is invalid: ${formatZodIssues(result.error.issues)}; fix or delete it (revert holds are forgotten then)`);
    }
    for (const [key, state] of Object.entries(result.data.states)) this.states.set(key, state);
  }

  override async put(key: string, state: TargetState): Promise<void> {
    this.states.set(key, state);
    writeFileAtomically(this.path, `${JSON.stringify({ version: 1, states: Object.fromEntries(this.states) }, null, 2)}\n`);
  }
}
