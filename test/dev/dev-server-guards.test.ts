import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevServer } from '../../dev/dev-server';
import { readDevSettings } from '../../dev/dev-settings';
import { startLocalDevServer } from '../../dev/dev-wiring';
import { TerminalError } from '../../lambdas/shared/errors';

const refusalOf = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
};

describe('dev server: guards', () => {
  it('refuses a second dev server on the same work directory, and lets one start after the first stops', async () => {
    const workDir = join(mkdtempSync(join(tmpdir(), 'hoist-lock-')), '.hoist');
    const settings = readDevSettings({ HOIST_WORK_DIR: workDir, PORT: '0' });
    const first = await startLocalDevServer(settings, {});
    try {
      const refusal = await refusalOf(startLocalDevServer(settings, {}));
      expect(refusal).toBeInstanceOf(TerminalError);
      expect(refusal.message).toBe(`another dev server (pid ${process.pid}) uses ${join(workDir, 'state')}; stop it, or give this one its own HOIST_WORK_DIR`);
    } finally {
      await first.close();
    }
    const again = await startLocalDevServer(settings, {});
    await again.close();
  });

  it('says which port is in use instead of crashing', async () => {
    const first = await startDevServer({ port: 0, env: {} });
    try {
      const port = new URL(first.url).port;
      const refusal = await refusalOf(startDevServer({ port: Number(port), env: {} }));
      expect(refusal).toBeInstanceOf(TerminalError);
      expect(refusal.message).toBe(`the dev server cannot listen on 127.0.0.1:${port}: the port is in use; set PORT`);
    } finally {
      await first.close();
    }
  });

  it('routes only /webhooks/<host>, and holds the ECR route to the configured body limit', async () => {
    const server = await startDevServer({ port: 0, env: { HOIST_MAX_BODY_BYTES: '1024' } });
    try {
      const nested = await fetch(`${server.url}/webhooks/evil/github`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(nested.status).toBe(404);
      const big = await fetch(`${server.url}/events/ecr`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"x":"${'a'.repeat(2048)}"}`,
      });
      expect(big.status).toBe(413);
      expect(await big.json()).toEqual({ error: 'payload too large', reason: 'body exceeds 1024 bytes' });
    } finally {
      await server.close();
    }
  });
});
