import type { SecretSyncState, SecretSyncStateStore } from '../../core/ports';

/** The secrets sync's memory of the dev server, per Vault path. */
export class MemorySecretSyncState implements SecretSyncStateStore {
  readonly states = new Map<string, SecretSyncState>();

  async get(vaultKeys: readonly string[]): Promise<Map<string, SecretSyncState>> {
    const found = new Map<string, SecretSyncState>();
    for (const key of vaultKeys) {
      const state = this.states.get(key);
      if (state !== undefined) found.set(key, state);
    }
    return found;
  }

  async put(vaultKey: string, state: SecretSyncState): Promise<void> {
    this.states.set(vaultKey, state);
  }
}
