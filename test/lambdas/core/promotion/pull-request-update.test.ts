import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryTargetStateStore } from '../../../../lambdas/clients/local/memory-promotion-stores';
import { PromotionConfigSchema } from '../../../../lambdas/core/config/promotion-config';
import type { EventEnvelope } from '../../../../lambdas/core/events';
import { type PromoteDeps, promoteBatch } from '../../../../lambdas/core/promotion/promote-batch';
import { providerCache } from '../../../../lambdas/providers/create-provider';
import { GitHubProvider } from '../../../../lambdas/providers/github-provider';
import { imageEnvelope } from '../../../support/envelopes';
import { type FakeGitHub, startFakeGitHub } from '../../../support/fake-github';

const values = (repository: string, tag: string) => `image:\n  repository: ghcr.io/${repository}\n  tag: ${tag}\nreplicas: 2\n`;
const event = (n: number, repository: string, tag: string): EventEnvelope => {
  const base = imageEnvelope(n, repository, 'ghcr.io');
  return { ...base, id: `ecr:${repository}:${tag}:${n}#0`, event: { ...base.event, tag } } as EventEnvelope;
};
/** What Hoist's table says of one target (as pullRequestBody writes it). */
const row = (service: string, from: string, to: string) => `| ${service} | prod | \`${from}\` | \`${to}\` | ecr ECR Image Action |`;
const HEADER = '| service | environment | from | to | trigger |\n| --- | --- | --- | --- | --- |';

/** Two images whose prod targets share one PR branch, on the GitHub fake. */
async function twoImagesOnOneBranch(): Promise<{ gh: FakeGitHub; deps: PromoteDeps; warnings: unknown[] }> {
  const gh = await startFakeGitHub('octo-org', 'gitops', {
    'apps/api/prod/values.yaml': values('octo-org/api', '1.4.2'),
    'apps/worker/prod/values.yaml': values('octo-org/worker', '0.9.0'),
  });
  const target = (service: string) => ({
    repository: 'gitops',
    file: `apps/${service}/prod/values.yaml`,
    environment: 'prod',
    mode: 'pull-request',
    branch: 'hoist/prod',
  });
  const config = PromotionConfigSchema.parse({
    repositories: [{ name: 'gitops', provider: 'github', url: 'https://github.com/octo-org/gitops.git' }],
    images: [
      { image: 'ghcr.io/octo-org/api', targets: [target('api')] },
      { image: 'ghcr.io/octo-org/worker', targets: [target('worker')] },
    ],
  });
  const warnings: unknown[] = [];
  const deps: PromoteDeps = {
    config,
    providerFor: providerCache(
      async () => gh.token,
      (repo, token) => new GitHubProvider({ url: repo.url, token: token as string, apiUrl: gh.apiUrl, throttle: false, requestRetries: 0 }),
    ),
    states: new MemoryTargetStateStore(),
    audit: new MemoryAuditLog(),
    log: { warn: (...entry) => warnings.push(entry) },
    now: () => new Date(),
    sleep: async () => undefined,
  };
  return { gh, deps, warnings };
}

describe('promotion: an open PR says everything its branch promotes', () => {
  let gh: FakeGitHub | undefined;
  afterEach(async () => gh?.close());

  it('lists a second image beside the first and counts the images in the title', async () => {
    const setup = await twoImagesOnOneBranch();
    gh = setup.gh;
    await promoteBatch([event(1, 'octo-org/api', '1.4.3')], setup.deps);
    expect(gh.pulls[0]).toMatchObject({
      title: 'chore(prod): bump api 1.4.2 -> 1.4.3',
      body: `Promotion opened by Hoist.\n\n${HEADER}\n${row('api', '1.4.2', '1.4.3')}`,
    });
    const second = await promoteBatch([event(2, 'octo-org/worker', '0.9.5')], setup.deps);
    expect(gh.pulls).toHaveLength(1);
    expect(gh.fileAt('hoist/prod', 'apps/worker/prod/values.yaml')).toContain('tag: 0.9.5');
    expect(gh.pulls[0]).toMatchObject({
      title: 'chore: promote 2 images on hoist/prod',
      body: `Promotion opened by Hoist.\n\n${HEADER}\n${row('api', '1.4.2', '1.4.3')}\n${row('worker', '0.9.0', '0.9.5')}`,
    });
    expect(gh.pullEdits).toHaveLength(1);
    expect(second.applied[0]?.pullRequest).toMatchObject({ number: 1, title: 'chore: promote 2 images on hoist/prod' });
    expect(second.applied[0]?.pullRequest?.warnings).toBeUndefined();
  });

  it('replaces the row of an image bumped again, from the tag the base branch has', async () => {
    const setup = await twoImagesOnOneBranch();
    gh = setup.gh;
    await promoteBatch([event(1, 'octo-org/api', '1.4.3')], setup.deps);
    await promoteBatch([event(2, 'octo-org/worker', '0.9.5')], setup.deps);
    await promoteBatch([event(3, 'octo-org/api', '1.4.4')], setup.deps);
    expect(gh.pulls[0]).toMatchObject({
      title: 'chore: promote 2 images on hoist/prod',
      body: `Promotion opened by Hoist.\n\n${HEADER}\n${row('api', '1.4.2', '1.4.4')}\n${row('worker', '0.9.0', '0.9.5')}`,
    });
    expect(gh.fileAt('main', 'apps/api/prod/values.yaml')).toContain('tag: 1.4.2');
  });

  it("keeps the text a person wrote above the table (as GitHub's web editor saves it, with CRLF)", async () => {
    const setup = await twoImagesOnOneBranch();
    gh = setup.gh;
    await promoteBatch([event(1, 'octo-org/api', '1.4.3')], setup.deps);
    const pr = gh.pulls[0];
    if (pr === undefined) throw new Error('no PR was opened');
    pr.body = `Hold until the 14:00 release window.\r\n\r\n${pr.body.replaceAll('\n', '\r\n')}`;
    await promoteBatch([event(2, 'octo-org/worker', '0.9.5')], setup.deps);
    expect(pr.body).toBe(
      [
        'Hold until the 14:00 release window.',
        '',
        'Promotion opened by Hoist.',
        '',
        HEADER.replace('\n', '\r\n'),
        row('api', '1.4.2', '1.4.3'),
        row('worker', '0.9.0', '0.9.5'),
      ].join('\r\n'),
    );
  });

  it('reports a refused update as a warning on the PR; the commit stays landed', async () => {
    const setup = await twoImagesOnOneBranch();
    gh = setup.gh;
    await promoteBatch([event(1, 'octo-org/api', '1.4.3')], setup.deps);
    gh.failNext(403, 'Resource not accessible by integration', 1, 'PATCH /repos/octo-org/gitops/pulls/');
    const second = await promoteBatch([event(2, 'octo-org/worker', '0.9.5')], setup.deps);
    expect(second.failures).toEqual([]);
    expect(second.applied[0]?.pullRequest?.warnings).toEqual([
      'title and description not updated: GitHub answered 403 while updating pull request #1: Resource not accessible by integration',
    ]);
    expect(gh.fileAt('hoist/prod', 'apps/worker/prod/values.yaml')).toContain('tag: 0.9.5');
    expect(gh.pulls[0]?.title).toBe('chore(prod): bump api 1.4.2 -> 1.4.3');
    expect(setup.warnings).toHaveLength(1);
  });
});
