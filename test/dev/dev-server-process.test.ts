import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, ecrPushEvent } from '../support/ecr-pushes';
import { type DevServerProcess, startDevServerProcess } from './dev-server-process';

/** A rotation in progress, as README's webhook secret document shows it, with a secret of its own for another repository. */
const SECRET_DOCUMENT = JSON.stringify({ default: ['new-secret', 'old-secret'], repositories: { 'team/app': 'app-only-secret' } });

/** One JSON log line of the process, as Powertools writes it. */
const logLine = (line: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

describe('npm start', () => {
  let server: DevServerProcess;

  beforeAll(async () => {
    const workDir = join(mkdtempSync(join(tmpdir(), 'hoist-process-')), '.hoist');
    server = await startDevServerProcess({ HOIST_WORK_DIR: workDir, PORT: '0', HOIST_WEBHOOK_SECRET_GITHUB: SECRET_DOCUMENT });
  });
  afterAll(async () => server?.stop());

  it('prints a curl line that works when the webhook secret is a JSON document', async () => {
    const delivery = /-H 'X-GitHub-Delivery: ([^']+)'/.exec(server.stdout())?.[1];
    const signature = /-H 'X-Hub-Signature-256: ([^']+)'/.exec(server.stdout())?.[1];
    expect(delivery).toBeDefined();
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    // What the printed curl line sends.
    const res = await fetch(`${server.url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': delivery as string,
        'x-hub-signature-256': signature as string,
      },
      body: readFileSync('dev/examples/github-push.json'),
    });
    // Verified (not 401); a push promotes nothing under the embedded config, and the answer says why.
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'ignored', ignored: expect.stringMatching(/^no image lists this branch push of github .* in its 'from'$/) });
  });

  it('logs every queued event once, with its id, type and route, as the promoter takes it', async () => {
    const event = ecrPushEvent('logged-1', { digest: digestOf('logged-1') });
    const body = JSON.stringify(event);
    // Envelope ids name the pushed image, whichever path reported it.
    const delivery = `ecr:123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.4.3@${event.detail['image-digest']}`;
    const res = await fetch(`${server.url}/events/ecr`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    // The promoter logs `promoted` after it took the event; by then its dequeue line was written.
    await server.lineMatching((line) => logLine(line)?.message === 'promoted' && line.includes('hoist/prod/api'));
    await server.lineMatching((line) => logLine(line)?.message === 'promoted' && line.includes('"branch":"main"'));
    const dequeued = server
      .stdout()
      .split('\n')
      .map(logLine)
      .filter((entry) => entry?.message === 'event dequeued' && String(entry.id).startsWith(`${delivery}#`));
    expect(dequeued.map((entry) => ({ id: entry?.id, type: entry?.type, route: entry?.route }))).toEqual(
      expect.arrayContaining([
        { id: `${delivery}#0@gitops:main`, type: 'image.published', route: 'gitops:main' },
        { id: `${delivery}#0@gitops:hoist/prod/api`, type: 'image.published', route: 'gitops:hoist/prod/api' },
      ]),
    );
    expect(dequeued).toHaveLength(2);
  });
});
