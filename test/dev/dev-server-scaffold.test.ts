import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runHoistCli } from '../../cli/run-hoist-cli';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import { createLocalPromoter } from '../../dev/dev-wiring';
import { ecrPushEvent } from '../support/ecr-pushes';

/*
 * README's "Start a GitOps repository": `hoist scaffold` with a local
 * repository URL, the folder committed and cloned bare beside it, the dev
 * server started on the scaffold's own hoist.config.yaml, and the example
 * ECR push (team/api) sent to it. The commit changes one line of one file.
 */

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

describe('dev server: promoting into a scaffolded repository', () => {
  let server: DevServer | undefined;
  afterEach(async () => server?.close());

  it('bumps image.tag of the pushed service in its first environment: one line of one file, nothing else', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hoist-scaffolded-'));
    const io = { stdout: { write: () => true }, stderr: { write: (text: string) => process.stderr.write(text) }, env: {}, cwd: root };
    const code = await runHoistCli(
      [
        'scaffold',
        ...['--services', 'api,worker', '--environments', 'dev,staging,prod', '--gpu', 'ollama', '--secrets', 'eso', '--rollouts', '--keda'],
        ...['--registry', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team', '--repo-url', '../gitops.git', '--out', 'gitops'],
      ],
      io,
    );
    expect(code).toBe(0);
    const checkout = join(root, 'gitops');
    git(checkout, 'init', '-q', '-b', 'main');
    git(checkout, 'add', '.');
    git(checkout, '-c', 'user.name=Platform', '-c', 'user.email=platform@example.com', 'commit', '-q', '-m', 'Scaffold');
    git(root, 'clone', '-q', '--bare', 'gitops', 'gitops.git');
    const bare = join(root, 'gitops.git');
    const scaffolded = git(bare, 'rev-parse', 'main').trim();

    const promoter = createLocalPromoter({ configPath: join(checkout, 'hoist.config.yaml'), env: {}, gateTimers: false });
    server = await startDevServer({ port: 0, env: {}, consume: promoter.consume, workOf: promoter.workOf });
    promoter.bindQueue(server.queue);
    const res = await fetch(`${server.url}/events/ecr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ecrPushEvent('scaffold-push', { tag: '0.2.0' })),
    });
    expect(res.status).toBe(202);
    await server.queue.drain();

    expect(git(bare, 'rev-list', '--count', `${scaffolded}..main`).trim()).toBe('1');
    expect(git(bare, 'diff', '--name-only', scaffolded, 'main')).toBe('apps/api/dev/values.yaml\n');
    const changed = git(bare, 'diff', '-U0', scaffolded, 'main')
      .split('\n')
      .filter((line) => /^[+-][^+-]/.test(line));
    expect(changed).toEqual(['-  tag: 0.1.0', '+  tag: 0.2.0']);
    // staging follows dev only once Argo CD shows dev Healthy: its gate waits, nothing else moved.
    expect(promoter.gates.pending.map((p) => `${p.check.service}:${p.check.after}->${p.check.environment}`)).toEqual(['api:dev->staging']);
  });
});
