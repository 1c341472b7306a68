import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { SecretSyncState } from '../../core/ports';
import { formatZodIssues, TerminalError } from '../../shared/errors';
import { MemorySecretSyncState } from './memory-secret-sync-state';
import { ensurePrivateDir, writeFileAtomically } from './private-files';

/** The file's name inside the state directory. */
export const SECRET_SYNC_STATES_FILE = 'secret-sync-states.json';

const SecretSyncStateSchema = z
  .object({
    vaultVersion: z.number().int().min(0),
    secretArn: z.string().min(1),
    sourceVersionId: z.string().min(1),
    syncedAt: z.string().min(1),
  })
  .strict();

/** `secret-sync-states.json`: one state per Vault path. */
const SecretSyncStatesFileSchema = z.object({ version: z.literal(1), states: z.record(z.string(), SecretSyncStateSchema) }).strict();

/**
 * The dev server's secrets sync memory (which KV version Hoist wrote from
 * which Secrets Manager version), kept across restarts in one 0600 JSON file
 * that each write replaces atomically. Versions and ARNs only, never a value.
 */
export class FileSecretSyncState extends MemorySecretSyncState {
  private readonly path: string;

  /** Reads `dir/secret-sync-states.json`; a file that is not what this store writes is a TerminalError naming it. */
  constructor(dir: string) {
    super();
    ensurePrivateDir(dir);
    this.path = join(dir, SECRET_SYNC_STATES_FILE);
    if (!existsSync(this.path)) return;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new TerminalError(`${this.path} is not valid JSON; fix or delete it`, { cause: error });
    }
    const result = SecretSyncStatesFileSchema.safeParse(raw);
    if (!result.success) {
      throw new TerminalError(`${this.path} is invalid: ${formatZodIssues(result.error.issues)}; fix or delete it`);
    }
    for (const [key, state] of Object.entries(result.data.states)) this.states.set(key, state);
  }

  override async put(vaultKey: string, state: SecretSyncState): Promise<void> {
    this.states.set(vaultKey, state);
    writeFileAtomically(this.path, `${JSON.stringify({ version: 1, states: Object.fromEntries(this.states) }, null, 2)}\n`);
  }
}
