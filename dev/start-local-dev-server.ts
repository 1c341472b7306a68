import { type DevServer, startDevServer } from './dev-server';
import type { DevSettings } from './dev-settings';
import { openDevState } from './dev-state';
import { ensureEmbeddedGitops } from './embedded-gitops';
import { createLocalPromoter } from './local-promoter';

export interface LocalDevServer extends DevServer {
  readonly configPath: string;
  /** The embedded GitOps repository, when no HOIST_CONFIG is set. */
  readonly embedded?: { readonly bareRepo: string; readonly created: boolean };
  /** Where delivery ids, target states and the audit trail are kept. */
  readonly stateDir: string;
}

/**
 * What `npm start` runs: the dev server with the promotion engine, its state
 * under the work directory (so a restart neither re-queues a delivery it has
 * seen nor forgets a revert hold), and, without HOIST_CONFIG, the embedded
 * GitOps repository.
 */
export async function startLocalDevServer(settings: DevSettings, env: Readonly<Record<string, string | undefined>>): Promise<LocalDevServer> {
  const embedded = settings.HOIST_CONFIG === undefined ? ensureEmbeddedGitops(settings.HOIST_WORK_DIR) : undefined;
  const configPath = settings.HOIST_CONFIG ?? (embedded?.configPath as string);
  const state = openDevState(settings.HOIST_WORK_DIR);
  try {
    const promoter = createLocalPromoter({ configPath, env, states: state.states, audit: state.audit });
    const server = await startDevServer({ port: settings.PORT, env, ledger: state.ledger, consume: promoter.consume, routesFor: promoter.routesFor });
    return {
      ...server,
      configPath,
      ...(embedded ? { embedded } : {}),
      stateDir: state.dir,
      close: () => server.close().finally(() => state.close()),
    };
  } catch (error) {
    state.close();
    throw error;
  }
}
