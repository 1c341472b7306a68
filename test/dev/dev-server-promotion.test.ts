import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import { createLocalPromoter } from '../../dev/dev-wiring';
import { ensureEmbeddedGitops } from '../../dev/embedded-gitops';
import { type FakeArgoCd, startFakeArgoCd } from '../support/fake-argocd';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { fixture } from '../support/webhook-examples';

describe('end to end through the dev server', () => {
  let server: DevServer;
  let argocd: FakeArgoCd;
  let slack: FakeSlack;
  let bareRepo: string;

  beforeAll(async () => {
    argocd = await startFakeArgoCd([{ name: 'web-dev', repoURL: 'x', path: 'apps/web/dev' }]);
    slack = await startFakeSlack();
    const embedded = ensureEmbeddedGitops(mkdtempSync(join(tmpdir(), 'hoist-dev-')));
    bareRepo = embedded.bareRepo;
    const env = {
      HOIST_WEBHOOK_SECRET_GITHUB: 'e2e-secret',
      HOIST_ARGOCD_URL: argocd.url,
      HOIST_ARGOCD_TOKEN: argocd.token,
      HOIST_SLACK_WEBHOOK_URL: slack.url,
    };
    const promoter = createLocalPromoter({ configPath: embedded.configPath, env });
    server = await startDevServer({ port: 0, env, consume: promoter.consume, workOf: promoter.workOf });
  });
  afterAll(async () => {
    await server.close();
    await argocd.close();
    await slack.close();
  });

  /** The registry_package fixture, its package moved to `octo-org/web`, announced by `repository`. */
  const packageDelivery = async (repository: string, delivery: string) => {
    const payload = structuredClone(fixture('github/registry-package-container.json'));
    payload.registry_package.name = 'web';
    payload.registry_package.package_version.package_url = 'ghcr.io/octo-org/web:1.4.3';
    payload.repository.full_name = repository;
    const body = JSON.stringify(payload);
    return fetch(`${server.url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'registry_package',
        'x-github-delivery': delivery,
        'x-hub-signature-256': await sign('e2e-secret', body),
      },
      body,
    });
  };

  it('refuses a package event from a repository the package does not belong to', async () => {
    const res = await packageDelivery('octo-org/api', 'e2e-0');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      status: 'ignored',
      ignored: "ghcr.io/octo-org/web is not a package of octo-org/api; list the repository in the image's 'from' to let it announce",
    });
  });

  it('signed GitHub package webhook in → bump commit in the embedded repo → Argo CD refresh → Slack message', async () => {
    const res = await packageDelivery('octo-org/web', 'e2e-1');
    expect(res.status).toBe(202);
    await server.queue.drain();

    const log = execFileSync('git', ['--git-dir', bareRepo, 'log', '--format=%s', 'main'], { encoding: 'utf8' }).trim().split('\n');
    expect(log).toEqual(['chore(dev): bump web 1.4.2 -> 1.4.3', 'example app']);
    const values = execFileSync('git', ['--git-dir', bareRepo, 'show', 'main:apps/web/dev/values.yaml'], { encoding: 'utf8' });
    expect(values).toContain('  tag: 1.4.3\n');
    expect(argocd.refreshes).toEqual([{ app: 'web-dev', mode: 'normal' }]);
    expect(slack.messages.map((m) => m.text)).toEqual(['Hoist promoted web 1.4.3 to dev']);
    expect(server.queue.deadLetters).toEqual([]);
  });
});
