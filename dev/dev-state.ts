import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileAuditLog } from '../lambdas/clients/local/file-audit-log';
import { FileDeliveryLedger } from '../lambdas/clients/local/file-delivery-ledger';
import { FileTagHistory } from '../lambdas/clients/local/file-tag-history';
import { FileTargetStateStore } from '../lambdas/clients/local/file-target-state-store';
import { ensurePrivateDir } from '../lambdas/clients/local/private-files';
import { TerminalError } from '../lambdas/shared/errors';

/** What the dev server remembers between runs, under `<work dir>/state/`. */
export interface DevState {
  readonly dir: string;
  readonly ledger: FileDeliveryLedger;
  readonly states: FileTargetStateStore;
  readonly audit: FileAuditLog;
  readonly tagHistory: FileTagHistory;
  close(): void;
}

/**
 * Opens the dev server's state in `workDir/state`: delivery ids (so a
 * redelivery after a restart is still a duplicate), target states (so a
 * person's revert stays held) and the audit trail.
 */
export function openDevState(workDir: string): DevState {
  const dir = join(workDir, 'state');
  // One dev server per work directory: a second one would rewrite the files the first appends to.
  const releaseLock = lockWorkDir(dir);
  const ledger = new FileDeliveryLedger({ dir });
  const states = new FileTargetStateStore(dir);
  const audit = new FileAuditLog({ dir });
  const tagHistory = new FileTagHistory({ dir });
  return {
    dir,
    ledger,
    states,
    audit,
    tagHistory,
    close: () => {
      ledger.close();
      audit.close();
      tagHistory.close();
      releaseLock();
    },
  };
}

/** The lock file's name inside the state directory: the pid of the dev server that owns the directory. */
export const LOCK_FILE = 'dev-server.pid';

/**
 * Takes `dir/dev-server.pid` for this process. A lock left by a process that
 * is gone is taken over; one held by a live process is a TerminalError that
 * names it. Answers the function that gives the lock back.
 */
function lockWorkDir(dir: string): () => void {
  ensurePrivateDir(dir);
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new TerminalError(`another dev server (pid ${owner}) uses ${dir}; stop it, or give this one its own HOIST_WORK_DIR`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new TerminalError(`could not take ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
