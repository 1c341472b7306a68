import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDevSettings } from '../../dev/dev-settings';
import { startLocalDevServer } from '../../dev/dev-wiring';

const sign = (text: string) => `sha256=${createHmac('sha256', 'hoist-dev-secret').update(text).digest('hex')}`;

describe('dev server: a CI promotion request end to end', () => {
  it('is promoted by the embedded repository and its outcome names the commit', async () => {
    const workDir = join(mkdtempSync(join(tmpdir(), 'hoist-ci-request-')), '.hoist');
    const server = await startLocalDevServer(readDevSettings({ HOIST_WORK_DIR: workDir, PORT: '0' }), {});
    try {
      const body = JSON.stringify({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api', tag: '1.4.9', source: 'gitlab pipeline 7' });
      const res = await fetch(`${server.url}/promotions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'run-7', 'x-hoist-signature-256': sign(body) },
        body,
      });
      expect(await res.json()).toEqual({ status: 'accepted', id: 'run-7' });
      await server.queue.drain();
      expect(server.queue.deadLetters).toEqual([]);
      const poll = await fetch(`${server.url}/promotions/run-7`, { headers: { 'x-hoist-signature-256': sign('/promotions/run-7') } });
      const outcome = (await poll.json()) as { status: string; changes: Array<{ branch: string; commit: string }> };
      expect(outcome.status).toBe('promoted');
      expect(outcome.changes.map((c) => c.branch).sort()).toEqual(['hoist/prod/api', 'main']);
      expect(outcome.changes.every((c) => /^[0-9a-f]{40}$/.test(c.commit))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
