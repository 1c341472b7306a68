import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import { readDevSettings } from '../../dev/dev-settings';
import { createLocalPromoter, startLocalDevServer } from '../../dev/dev-wiring';
import { ensureEmbeddedGitops } from '../../dev/embedded-gitops';
import { MemoryAuditLog } from '../../lambdas/clients/local/memory-promotion-stores';
import type { EventEnvelope } from '../../lambdas/core/events';
import type { ListedImage } from '../../lambdas/core/ports';
import { digestOf, ecrPushEvent } from '../support/ecr-pushes';
import { StaticImageLister } from '../support/static-image-lister';

const JSON_TYPE = { 'content-type': 'application/json' };
const API = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
/** The image of dev/examples/ecr-push.json, as ECR lists it. */
const EXAMPLE: ListedImage = { tag: '1.4.3', digest: ecrPushEvent('x').detail['image-digest'], pushedAt: '2026-11-16T01:54:34.000Z' };

/** `count` older images of team/api, one tag each (`1.3.<n>`), a minute apart before the example push. */
const olderImages = (count: number): ListedImage[] =>
  Array.from({ length: count }, (_, n) => ({ tag: `1.3.${n}`, digest: digestOf(`1.3.${n}`), pushedAt: new Date(Date.UTC(2026, 10, 16, 0, n)).toISOString() }));

async function post(server: DevServer, path: string, body = '{}'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: JSON_TYPE, body });
  return { status: res.status, body: await res.json() };
}

describe('dev server: POST /reconcile over real HTTP', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('queues once what the ECR event already queued, and the newest 10 of 15 images', async () => {
    const consumed: EventEnvelope[] = [];
    const lister = new StaticImageLister({ [API]: [EXAMPLE, ...olderImages(14)] });
    const server = await startDevServer({
      port: 0,
      env: {},
      consume: async (envelope) => {
        consumed.push(envelope);
      },
      reconcile: { repositories: [API], lister },
    });
    servers.push(server);

    expect(await post(server, '/events/ecr', JSON.stringify(ecrPushEvent('event-1')))).toMatchObject({ status: 202, body: { status: 'accepted' } });
    expect(await post(server, '/reconcile')).toEqual({
      status: 200,
      body: { status: 'reconciled', listed: 15, older: 5, queued: 9, alreadySeen: 1, ignored: [], failed: [] },
    });
    // A second run finds everything seen.
    expect(await post(server, '/reconcile')).toMatchObject({ status: 200, body: { queued: 0, alreadySeen: 10 } });
    await server.queue.drain();

    const example = `ecr:${API}:1.4.3@${EXAMPLE.digest}#0`;
    expect(consumed.filter((e) => e.id === example).map((e) => e.event.type === 'image.published' && e.event.reportedBy.event)).toEqual(['ECR Image Action']);
    expect(consumed.map((e) => (e.event.type === 'image.published' ? e.event.tag : ''))).toEqual([
      '1.4.3',
      ...['5', '6', '7', '8', '9', '10', '11', '12', '13'].map((n) => `1.3.${n}`),
    ]);
  });

  it('says so when no registry is given, and lists nothing', async () => {
    const server = await startDevServer({ port: 0, env: {} });
    servers.push(server);
    expect(await post(server, '/reconcile')).toEqual({
      status: 200,
      body: { status: 'reconciled', listed: 0, older: 0, queued: 0, alreadySeen: 0, ignored: [], failed: [], note: expect.stringMatching(/no image registry/) },
    });
  });

  it('refuses what is not a JSON POST, like every other route', async () => {
    const server = await startDevServer({ port: 0, env: {} });
    servers.push(server);
    expect((await fetch(`${server.url}/reconcile`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' })).status).toBe(415);
    expect((await fetch(`${server.url}/reconcile`)).status).toBe(404);
  });

  it('under the npm start wiring, lists nothing and says so: there is no ECR', async () => {
    const workDir = join(mkdtempSync(join(tmpdir(), 'hoist-reconcile-')), '.hoist');
    const server = await startLocalDevServer(readDevSettings({ HOIST_WORK_DIR: workDir, PORT: '0' }), {});
    servers.push(server);
    expect(await post(server, '/reconcile')).toMatchObject({ status: 200, body: { listed: 0, queued: 0, note: expect.stringMatching(/no image registry/) } });
  });

  it('plans a push whose delivery the ledger forgot as already at its tag, and commits nothing again', async () => {
    const embedded = ensureEmbeddedGitops(join(mkdtempSync(join(tmpdir(), 'hoist-reconcile-')), '.hoist'));
    const audit = new MemoryAuditLog();
    const promoter = createLocalPromoter({ configPath: embedded.configPath, env: {}, audit });
    expect(promoter.ecrRepositories).toEqual([API]);
    const lister = new StaticImageLister({ [API]: [EXAMPLE] });
    const first = await startDevServer({ port: 0, env: {}, consume: promoter.consume, workOf: promoter.workOf, reconcile: { repositories: [API], lister } });
    servers.push(first);
    expect(await post(first, '/reconcile')).toMatchObject({ body: { queued: 1 } });
    await first.queue.drain();
    // A server with a fresh in-memory ledger: the delivery is new to it, the repository is not.
    const second = await startDevServer({ port: 0, env: {}, consume: promoter.consume, workOf: promoter.workOf, reconcile: { repositories: [API], lister } });
    servers.push(second);
    expect(await post(second, '/reconcile')).toMatchObject({ body: { queued: 1, alreadySeen: 0 } });
    await second.queue.drain();
    expect([...first.queue.deadLetters, ...second.queue.deadLetters]).toEqual([]);

    const subjects = execFileSync('git', ['--git-dir', embedded.bareRepo, 'log', '--format=%s', 'main'], { encoding: 'utf8' }).trim().split('\n');
    expect(subjects).toEqual(['chore(dev): bump api 1.4.2 -> 1.4.3', 'example app']);
    const mainRecords = audit.records.filter((record) => record.events.some((id) => id.endsWith('@gitops:main')));
    expect(mainRecords.map((record) => record.outcome)).toEqual(['promoted', 'noop']);
    expect(mainRecords[1]?.reasons?.join(' ')).toMatch(/already at '1\.4\.3'/);
  });
});
