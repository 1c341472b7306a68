import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { TargetState } from '../../core/promotion/plan-promotions';
import { formatZodIssues, TerminalError } from '../../shared/errors';
import { MemoryTargetStateStore } from './memory-promotion-stores';
import { ensurePrivateDir, writeFileAtomically } from './private-files';

/** The file's name inside the state directory. */
export const TARGET_STATES_FILE = 'target-states.json';

const TargetHoldSchema = z.object({ by: z.string().min(1), at: z.string().min(1), reason: z.string().optional() }).strict();

const GateWaitSchema = z.object({ tag: z.string(), after: z.string(), since: z.string(), checkedAt: z.string(), reason: z.string() }).strict();

const TargetStateSchema = z
  .object({
    lastWrittenTag: z.string().optional(),
    heldAbove: z.string().optional(),
    hold: TargetHoldSchema.optional(),
    gate: GateWaitSchema.optional(),
    approvalMessage: z.object({ number: z.number().int(), channel: z.string(), ts: z.string() }).strict().optional(),
    proposal: z
      .object({
        promotions: z.array(
          z
            .object({
              targetKey: z.string(),
              image: z.string(),
              service: z.string(),
              environment: z.string(),
              file: z.string(),
              toTag: z.string(),
              digest: z.string().optional(),
              pushedAt: z.string().optional(),
            })
            .strict(),
        ),
      })
      .strict()
      .optional(),
  })
  .strict();

/** `target-states.json`: one state per target key. */
const TargetStatesFileSchema = z.object({ version: z.literal(1), states: z.record(z.string(), TargetStateSchema) }).strict();

/**
 * The dev server's target states (what Hoist last wrote, revert holds, a
 * person's holds), kept across restarts in one JSON file that each change
 * replaces atomically. There is one state per configured target, so the file
 * stays small. The file is read again before each read and each write: the
 * `hoist` CLI holds and releases targets in it while a dev server runs.
 */
export class FileTargetStateStore extends MemoryTargetStateStore {
  private readonly path: string;

  /** Reads `dir/target-states.json`; a file that is not what this store writes is a TerminalError naming it. */
  constructor(dir: string) {
    super();
    ensurePrivateDir(dir);
    this.path = join(dir, TARGET_STATES_FILE);
    this.load();
  }

  override async get(keys: readonly string[]): Promise<Map<string, TargetState>> {
    this.load();
    return super.get(keys);
  }

  override async put(key: string, state: TargetState): Promise<void> {
    // What another process wrote since the last read stays: only this key is replaced.
    this.load();
    this.states.set(key, state);
    writeFileAtomically(this.path, `${JSON.stringify({ version: 1, states: Object.fromEntries(this.states) }, null, 2)}\n`);
  }

  /** Replaces the states in memory with the file's (none when there is no file yet). */
  private load(): void {
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
    this.states.clear();
    for (const [key, state] of Object.entries(result.data.states)) this.states.set(key, state);
  }
}
