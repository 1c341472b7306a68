import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import { createLocalPromoter } from '../../dev/dev-wiring';
import { type FakeOciRegistry, startFakeOciRegistry } from '../support/fake-oci-registry';
import { createBareRepo, type PersonClone } from '../support/git-repo';
import { fixture } from '../support/webhook-examples';

const SHA = 'bcbb5ec396a2c0f828686f14fac9b80b780504f2';

/*
 * GitLab CI promotes what it built: the GitLab docs' Pipeline Hook example
 * (test/fixtures/gitlab/pipeline.json, gitlab-org/gitlab-test on master)
 * sent to the dev server with its `X-Gitlab-Token`; the image lives in a
 * loopback OCI registry (test/support/fake-oci-registry.ts) that has the
 * tag only after the first lookup, as when the pipeline's webhook beats its
 * push job.
 */
describe('dev server: a GitLab pipeline promotes the image it built once the registry has it', () => {
  let registry: FakeOciRegistry;
  let server: DevServer;
  let person: PersonClone;
  let image: string;
  beforeAll(async () => {
    registry = await startFakeOciRegistry({ publicRepositories: [] });
    image = `${registry.host}/gitlab-org/gitlab-test`;
    const repo = createBareRepo({ '.cicd/dev.yaml': `image:\n  repository: ${image}\n  tag: 0a0a0a0a\n` });
    person = repo.person;
    const dir = mkdtempSync(join(tmpdir(), 'hoist-gitlab-ci-'));
    const configPath = join(dir, 'hoist.config.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        repositories: [{ name: 'gitops', provider: 'git', url: repo.bare }],
        registry: { retrySeconds: 1, plainHttp: [registry.host], credentials: { [registry.host]: { env: 'REGISTRY_CREDENTIALS' } } },
        images: [
          {
            image,
            policy: 'latest',
            from: [{ host: 'gitlab', repository: 'gitlab-org/gitlab-test', on: 'ci.succeeded', branches: ['master'], tag: '{sha:8}' }],
            targets: [{ repository: 'gitops', file: '.cicd/dev.yaml', environment: 'dev', skipCi: true }],
          },
        ],
      }),
    );
    const env = {
      HOIST_WEBHOOK_SECRET_GITLAB: 'gitlab-token',
      REGISTRY_CREDENTIALS: JSON.stringify({ username: registry.username, password: registry.password }),
    };
    const promoter = createLocalPromoter({ configPath, env });
    server = await startDevServer({ port: 0, env, consume: promoter.consume, workOf: promoter.workOf });
  });
  afterAll(async () => {
    await server.close();
    await registry.close();
  });

  const sendPipeline = (project: string, delivery: string) => {
    const payload = structuredClone(fixture('gitlab/pipeline.json'));
    payload.project.path_with_namespace = project;
    return fetch(`${server.url}/webhooks/gitlab`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Pipeline Hook', 'x-gitlab-token': 'gitlab-token', 'x-gitlab-event-uuid': delivery },
      body: JSON.stringify(payload),
    });
  };

  it('refuses a pipeline of a repository that may not announce the image', async () => {
    const res = await sendPipeline('someone/fork', 'p-0');
    expect(await res.json()).toEqual({ status: 'ignored', ignored: "no image lists this CI run of gitlab someone/fork in its 'from'" });
  });

  it('waits for the tag, then commits it once with [skip ci]', async () => {
    registry.pushAfter(1, 'gitlab-org/gitlab-test', SHA.slice(0, 8));
    const res = await sendPipeline('gitlab-org/gitlab-test', 'p-1');
    expect(await res.json()).toMatchObject({ status: 'accepted', events: ['ci.succeeded'], queued: 1 });
    await server.queue.drain();
    expect(server.queue.deadLetters).toEqual([]);
    person.pull();
    expect(person.log()).toEqual([`chore(dev): bump gitlab-test 0a0a0a0a -> ${SHA.slice(0, 8)} [skip ci]`, 'seed']);
    expect(person.show('main', '.cicd/dev.yaml')).toContain(`tag: ${SHA.slice(0, 8)}`);
    // Asked twice: not there yet, then there.
    expect(registry.requests.filter((r) => r.includes('/manifests/')).length).toBeGreaterThanOrEqual(2);
    const log = execFileSync('git', ['-C', person.dir, 'log', '-1', '--format=%B'], { encoding: 'utf8' });
    expect(log).toContain(`Hoist-Target: gitops:.cicd/dev.yaml:dev:${image}#helm:image.tag ${SHA.slice(0, 8)}`);
  }, 60_000);
});
