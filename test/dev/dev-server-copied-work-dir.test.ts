import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevServer } from '../../dev/dev-server';
import { createLocalPromoter } from '../../dev/dev-wiring';
import { ensureEmbeddedGitops } from '../../dev/embedded-gitops';

const subjects = (bareRepo: string) => execFileSync('git', ['--git-dir', bareRepo, 'log', '--format=%s', 'main'], { encoding: 'utf8' }).trim().split('\n');

describe('dev server: a copied work directory', () => {
  it('pushes into the copy’s own embedded repository, not the original’s', async () => {
    const original = ensureEmbeddedGitops(join(mkdtempSync(join(tmpdir(), 'hoist-original-')), '.hoist'));
    const copyDir = join(mkdtempSync(join(tmpdir(), 'hoist-copy-')), '.hoist');
    cpSync(join(original.bareRepo, '..'), copyDir, { recursive: true });
    const copy = ensureEmbeddedGitops(copyDir);
    expect(copy.created).toBe(false);

    const promoter = createLocalPromoter({ configPath: copy.configPath, env: {} });
    const server = await startDevServer({ port: 0, env: {}, consume: promoter.consume, workOf: promoter.workOf });
    try {
      const res = await fetch(`${server.url}/events/ecr`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: readFileSync('dev/examples/ecr-push.json'),
      });
      expect(res.status).toBe(202);
      await server.queue.drain();
      expect(server.queue.deadLetters).toEqual([]);
    } finally {
      await server.close();
    }
    expect(subjects(copy.bareRepo)).toEqual(['chore(dev): bump api 1.4.2 -> 1.4.3', 'example app']);
    expect(subjects(original.bareRepo)).toEqual(['example app']);
    expect(readFileSync(copy.configPath, 'utf8')).toContain('url: "./gitops.git"');
  });
});
