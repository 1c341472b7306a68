import { describe, expect, it } from 'vitest';
import { parseGiteaDelivery } from '../../../../lambdas/core/intake/parse-gitea-delivery';
import { fixture, githubExamples } from '../../../support/webhook-examples';

const receivedAt = new Date('2026-11-23T08:00:00Z');

describe('intake: Gitea deliveries (docs.gitea.com examples and Gitea payload structs)', () => {
  it('normalizes a push', () => {
    expect(parseGiteaDelivery('push', fixture('gitea/push.json'), receivedAt)).toEqual({
      kind: 'events',
      events: [
        {
          type: 'git.push',
          host: 'gitea',
          repository: 'gitea/webhooks',
          ref: 'refs/heads/develop',
          refType: 'branch',
          before: '28e1879d029cb852e4844d9c718537df08844e03',
          after: 'bffeb74224043ba2feb48d137756c8a9331c449a',
          changedPaths: ['deploy/values.yaml', 'README.md'],
          changedPathsTruncated: false,
          author: 'gitea',
        },
      ],
    });
  });

  it('turns a created container package into image.published on the instance host', () => {
    expect(parseGiteaDelivery('package', fixture('gitea/package.json'), receivedAt)).toEqual({
      kind: 'events',
      events: [
        {
          type: 'image.published',
          registry: 'gitea.example.com',
          repository: 'gitea/api',
          tag: '1.4.3',
          pushedAt: '2026-11-20T10:15:00.000Z',
          reportedBy: { host: 'gitea', event: 'package' },
        },
      ],
    });
  });

  it('ignores packages of other types', () => {
    const payload = fixture('gitea/package.json');
    payload.package.type = 'npm';
    expect(parseGiteaDelivery('package', payload, receivedAt)).toEqual({ kind: 'ignored', reason: "package type 'npm' is not a container image" });
  });

  it('turns a merged pull request into change.merged', () => {
    expect(parseGiteaDelivery('pull_request', fixture('gitea/pull-request-merged.json'), receivedAt)).toMatchObject({
      kind: 'events',
      events: [{ type: 'change.merged', host: 'gitea', number: 7, mergedBy: 'reviewer', sourceBranch: 'hoist/prod/api' }],
    });
  });

  it("reads Gitea Actions workflow_run like GitHub's", () => {
    const success = githubExamples('workflow_run').find((p) => p.workflow_run.conclusion === 'success');
    expect(parseGiteaDelivery('workflow_run', success, receivedAt)).toMatchObject({
      kind: 'events',
      events: [{ type: 'ci.succeeded', host: 'gitea' }],
    });
  });
});
