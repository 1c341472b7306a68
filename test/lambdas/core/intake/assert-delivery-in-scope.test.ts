import { describe, expect, it } from 'vitest';
import type { HoistEvent } from '../../../../lambdas/core/events';
import { assertDeliveryInScope, isPackageOfRepository } from '../../../../lambdas/core/intake/assert-delivery-in-scope';
import { parseGitHubDelivery } from '../../../../lambdas/core/intake/parse-github-delivery';
import { parseGitLabDelivery } from '../../../../lambdas/core/intake/parse-gitlab-delivery';
import { ForbiddenError } from '../../../../lambdas/shared/errors';
import { fixture, githubExamples } from '../../../support/webhook-examples';

const receivedAt = new Date('2026-11-23T08:00:00Z');

function eventsOf(outcome: { kind: string; events?: readonly HoistEvent[] }): readonly HoistEvent[] {
  if (outcome.events === undefined) throw new Error('expected events');
  return outcome.events;
}

const githubPush = () =>
  eventsOf(
    parseGitHubDelivery(
      'push',
      githubExamples('push').find((p) => p.ref === 'refs/heads/master'),
      receivedAt,
    ),
  );
const gitlabPipeline = () => eventsOf(parseGitLabDelivery('Pipeline Hook', fixture('gitlab/pipeline.json')));

describe('intake: what a repository-scoped secret may announce', () => {
  it('lets the default secret announce anything', () => {
    expect(() => assertDeliveryInScope({ kind: 'default' }, { repository: undefined }, githubPush())).not.toThrow();
  });

  it("accepts a push and a pipeline of the secret's own repository", () => {
    expect(() =>
      assertDeliveryInScope({ kind: 'repository', repository: 'Codertocat/Hello-World' }, { repository: 'Codertocat/Hello-World' }, githubPush()),
    ).not.toThrow();
    const pipeline = gitlabPipeline();
    const project = pipeline[0]?.type === 'ci.succeeded' ? pipeline[0].repository : '';
    expect(() => assertDeliveryInScope({ kind: 'repository', repository: project }, { repository: project }, pipeline)).not.toThrow();
  });

  it('refuses a push, pipeline or merge event of another repository', () => {
    const scope = { kind: 'repository', repository: 'team/app' } as const;
    expect(() => assertDeliveryInScope(scope, { repository: 'team/app' }, githubPush())).toThrowError(ForbiddenError);
    expect(() => assertDeliveryInScope(scope, { repository: 'team/app' }, githubPush())).toThrowError(
      "signed with the secret of 'team/app', which speaks for that repository only: event 0 (git.push) is for another repository",
    );
    expect(() => assertDeliveryInScope(scope, { repository: 'team/app' }, gitlabPipeline())).toThrowError(/event 0 \(ci\.succeeded\)/);
  });

  it('refuses a payload that is from another repository than the secret', () => {
    expect(() => assertDeliveryInScope({ kind: 'repository', repository: 'team/app' }, { repository: undefined }, [])).toThrowError(
      /the payload is from another repository$/,
    );
  });

  it('treats an image as a package of a repository when its path is the repository or below it', () => {
    expect(isPackageOfRepository('octo-org/api', 'Octo-Org/API')).toBe(true);
    expect(isPackageOfRepository('octo-org/api/worker', 'octo-org/api')).toBe(true);
    expect(isPackageOfRepository('octo-org/api-worker', 'octo-org/api')).toBe(false);
    expect(isPackageOfRepository('octo-org/svc-03', 'octo-org/api')).toBe(false);
    expect(isPackageOfRepository('octo-org', 'octo-org/api')).toBe(false);
  });
});
