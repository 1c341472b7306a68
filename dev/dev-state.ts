import { join } from 'node:path';
import { FileAuditLog } from '../lambdas/clients/local/file-audit-log';
import { FileDeliveryLedger } from '../lambdas/clients/local/file-delivery-ledger';
import { FileTagHistory } from '../lambdas/clients/local/file-tag-history';
import { FileTargetStateStore } from '../lambdas/clients/local/file-target-state-store';

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
    },
  };
}
