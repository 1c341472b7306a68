import { closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLog, AuditRecord } from '../../core/ports';
import { ensurePrivateDir, openPrivateAppend } from './private-files';

/** The file's name inside the state directory. */
export const AUDIT_FILE = 'audit.jsonl';

export interface FileAuditLogProps {
  /** Directory of `audit.jsonl`; created with mode 0700. */
  readonly dir: string;
  /** How many of the newest records stay in memory for `recent()`. @default 100 */
  readonly recentLimit?: number;
}

/**
 * The dev server's audit trail: one JSON line per record, appended to
 * `audit.jsonl` and never read back. Only the newest `recentLimit` records
 * stay in memory, so a long-running server does not grow with its history.
 */
export class FileAuditLog implements AuditLog {
  private readonly fd: number;
  private readonly recentLimit: number;
  private readonly newest: AuditRecord[] = [];

  constructor(props: FileAuditLogProps) {
    ensurePrivateDir(props.dir);
    this.fd = openPrivateAppend(join(props.dir, AUDIT_FILE));
    this.recentLimit = props.recentLimit ?? 100;
  }

  async record(entry: AuditRecord): Promise<void> {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.newest.push(entry);
    if (this.newest.length > this.recentLimit) this.newest.shift();
  }

  /** The newest records of this run, oldest first. */
  recent(): readonly AuditRecord[] {
    return [...this.newest];
  }

  /** Closes the file; the log must not be used afterwards. */
  close(): void {
    closeSync(this.fd);
  }
}
