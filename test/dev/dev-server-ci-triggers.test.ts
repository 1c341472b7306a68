import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import { createLocalPromoter } from '../../dev/dev-wiring';
import { createBareRepo, type PersonClone } from '../support/git-repo';
import { fixture, githubExamples } from '../support/webhook-examples';

const deployment = (image: string, tag: string) => `image:\n  repository: ${image}\n  tag: ${tag}\n`;
const configMap = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: iris-model\ndata:\n  MODEL_OBJECT: ml-models/iris-old.joblib # read at start-up\n`;

/*
 * CI results as the hosts send them, through the dev server's webhook routes:
 * GitHub's `workflow_run` (the completed, successful example of
 * @octokit/webhooks-examples: octo-org/octo-repo on master) and Gitea's commit
 * `status` as Woodpecker reports it (test/fixtures/gitea/status.json:
 * gitea/webhooks, context ci/woodpecker/push/build). Each becomes one commit.
 */
describe('dev server: CI results from GitHub and Gitea promote what they built', () => {
  let server: DevServer;
  let person: PersonClone;
  beforeAll(async () => {
    const repo = createBareRepo({
      'apps/octo/dev.yaml': deployment('ghcr.io/octo-org/octo-repo', 'sha-0000000'),
      'apps/iris/dev.yaml': deployment('gitea.example.com/gitea/webhooks', '00000000'),
      'apps/iris/model.yaml': configMap,
    });
    person = repo.person;
    const dir = mkdtempSync(join(tmpdir(), 'hoist-ci-results-'));
    const configPath = join(dir, 'hoist.config.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        repositories: [{ name: 'gitops', provider: 'git', url: repo.bare }],
        images: [
          {
            image: 'ghcr.io/octo-org/octo-repo',
            policy: 'latest',
            from: [{ host: 'github', repository: 'octo-org/octo-repo', on: 'ci.succeeded', pipeline: 'test', tag: 'sha-{sha:7}', verify: 'none' }],
            targets: [{ repository: 'gitops', file: 'apps/octo/dev.yaml', environment: 'dev' }],
          },
          {
            image: 'gitea.example.com/gitea/webhooks',
            service: 'iris',
            policy: 'latest',
            from: [{ host: 'gitea', repository: 'gitea/webhooks', on: 'ci.succeeded', pipeline: 'ci/woodpecker/push/build', tag: '{sha:8}', verify: 'none' }],
            targets: [
              { repository: 'gitops', file: 'apps/iris/dev.yaml', environment: 'dev', skipCi: true },
              {
                repository: 'gitops',
                file: 'apps/iris/model.yaml',
                environment: 'dev',
                setOnly: true,
                set: { 'data.MODEL_OBJECT': 'ml-models/iris-{tag}.joblib' },
              },
            ],
          },
        ],
      }),
    );
    const env = { HOIST_WEBHOOK_SECRET_GITHUB: 'gh-secret', HOIST_WEBHOOK_SECRET_GITEA: 'gitea-secret' };
    const promoter = createLocalPromoter({ configPath, env });
    server = await startDevServer({ port: 0, env, consume: promoter.consume, workOf: promoter.workOf });
  });
  afterAll(async () => server.close());

  it('GitHub workflow_run → one commit with the sha-<7> tag', async () => {
    const run = githubExamples('workflow_run').find((e) => e.action === 'completed' && e.workflow_run?.conclusion === 'success');
    if (run === undefined) throw new Error('no successful workflow_run example');
    const body = JSON.stringify(run);
    const res = await fetch(`${server.url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'workflow_run',
        'x-github-delivery': 'run-1',
        'x-hub-signature-256': await sign('gh-secret', body),
      },
      body,
    });
    expect(await res.json()).toMatchObject({ status: 'accepted', events: ['ci.succeeded'] });
    await server.queue.drain();
    expect(server.queue.deadLetters).toEqual([]);
    person.pull();
    expect(person.show('main', 'apps/octo/dev.yaml')).toContain(`tag: sha-${String(run.workflow_run.head_sha).slice(0, 7)}`);
  });

  it('Gitea commit status from Woodpecker → the image and its model ConfigMap in one [skip ci] commit', async () => {
    const status = structuredClone(fixture('gitea/status.json'));
    const body = JSON.stringify(status);
    const res = await fetch(`${server.url}/webhooks/gitea`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitea-event': 'status',
        'x-gitea-delivery': 'status-1',
        'x-gitea-signature': createHmac('sha256', 'gitea-secret').update(body).digest('hex'),
      },
      body,
    });
    expect(await res.json()).toMatchObject({ status: 'accepted', events: ['ci.succeeded'] });
    await server.queue.drain();
    expect(server.queue.deadLetters).toEqual([]);
    person.pull();
    const tag = String(status.sha).slice(0, 8);
    expect(person.log()[0]).toBe(`chore(dev): bump iris 00000000 -> ${tag} [skip ci]`);
    expect(person.show('main', 'apps/iris/dev.yaml')).toContain(`tag: ${tag}`);
    expect(person.show('main', 'apps/iris/model.yaml')).toContain(`MODEL_OBJECT: ml-models/iris-${tag}.joblib # read at start-up`);
  });
});
