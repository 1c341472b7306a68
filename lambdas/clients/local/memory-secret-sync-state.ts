import type { SecretSyncState, SecretSyncStateStore } from '../../core/ports';

/** Sync state kept in memory: for the dev server's embedded Vault, which forgets its data on restart too. */
export class MemorySecretSyncState implements SecretSyncStateStore {
  private readonly states = new Map<string, SecretSyncState>();

  async get(vaultKeys: readonly string[]): Promise<Map<string, SecretSyncState>> {
    return new Map(vaultKeys.flatMap((key) => (this.states.has(key) ? [[key, this.states.get(key) as SecretSyncState] as const] : [])));
  }

  async put(vaultKey: string, state: SecretSyncState): Promise<void> {
    this.states.set(vaultKey, state);
  }
}
