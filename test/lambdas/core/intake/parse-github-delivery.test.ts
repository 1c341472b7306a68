import { describe, expect, it } from 'vitest';
import { HoistEventSchema } from '../../../../lambdas/core/events';
import { parseGitHubDelivery } from '../../../../lambdas/core/intake/parse-github-delivery';
import { ValidationError } from '../../../../lambdas/shared/errors';
import { fixture, githubExamples } from '../../../support/webhook-examples';

const receivedAt = new Date('2026-11-23T08:00:00Z');

describe('intake: GitHub deliveries (real payloads from @octokit/webhooks-examples)', () => {
  it('normalizes every push example: deletions are ignored, the rest become schema-valid git.push', () => {
    for (const payload of githubExamples('push')) {
      const outcome = parseGitHubDelivery('push', payload, receivedAt);
      if (payload.deleted === true) {
        expect(outcome).toEqual({ kind: 'ignored', reason: `tag '${payload.ref}' was deleted` });
        continue;
      }
      expect(outcome.kind).toBe('events');
      if (outcome.kind !== 'events') continue;
      const [event] = outcome.events;
      expect(HoistEventSchema.parse(event)).toEqual(event);
      expect(event).toMatchObject({ type: 'git.push', host: 'github', repository: payload.repository.full_name });
    }
  });

  it('tells branches from tags and collects the changed paths', () => {
    const branch = githubExamples('push').find((p) => p.ref === 'refs/heads/master');
    const outcome = parseGitHubDelivery('push', branch, receivedAt);
    expect(outcome).toEqual({
      kind: 'events',
      events: [
        {
          type: 'git.push',
          host: 'github',
          repository: 'Codertocat/Hello-World',
          ref: 'refs/heads/master',
          refType: 'branch',
          before: branch?.before,
          after: branch?.after,
          changedPaths: ['README.md'],
          changedPathsTruncated: false,
          author: 'Codertocat',
        },
      ],
    });
  });

  it('normalizes a created tag as a tag push whose ref carries the tag name', () => {
    const tag = githubExamples('push').find((p) => p.ref === 'refs/tags/simple-tag' && p.created === true);
    expect(parseGitHubDelivery('push', tag, receivedAt)).toEqual({
      kind: 'events',
      events: [
        {
          type: 'git.push',
          host: 'github',
          repository: 'Codertocat/Hello-World',
          ref: 'refs/tags/simple-tag',
          refType: 'tag',
          before: '0000000000000000000000000000000000000000',
          after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
          changedPaths: [],
          changedPathsTruncated: false,
          author: 'Codertocat',
        },
      ],
    });
  });

  it('ignores a deleted branch even when the payload has no `deleted` flag (all-zero after)', () => {
    const payload = githubExamples('push').find((p) => p.ref === 'refs/heads/master');
    if (payload === undefined) throw new Error('no branch push example');
    delete payload.deleted;
    payload.after = '0000000000000000000000000000000000000000';
    expect(parseGitHubDelivery('push', payload, receivedAt)).toEqual({
      kind: 'ignored',
      reason: "branch 'refs/heads/master' was deleted",
    });
  });

  it('turns a successful completed workflow_run into ci.succeeded and ignores the rest', () => {
    const outcomes = githubExamples('workflow_run').map((p) => parseGitHubDelivery('workflow_run', p, receivedAt));
    const succeeded = outcomes.filter((o) => o.kind === 'events');
    expect(succeeded).toHaveLength(2);
    expect(succeeded[0]).toMatchObject({
      events: [{ type: 'ci.succeeded', host: 'github', ref: 'refs/heads/master', sha: expect.stringMatching(/^[0-9a-f]{40}$/) }],
    });
    expect(outcomes.filter((o) => o.kind === 'ignored').map((o) => o.kind === 'ignored' && o.reason)).toEqual(
      expect.arrayContaining(["workflow_run action 'requested' is not handled"]),
    );
  });

  describe('status (commit statuses from Jenkins, Drone, Woodpecker …)', () => {
    const sha = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
    const successExample = (): Record<string, any> => {
      const example = githubExamples('status').find((p) => p.state === 'success');
      if (example === undefined) throw new Error('no successful status example');
      return example;
    };

    it('turns every successful status example into ci.succeeded for the first listed branch', () => {
      const examples = githubExamples('status');
      expect(examples.length).toBeGreaterThan(0);
      for (const payload of examples) {
        // The examples list branches that contain the commit without having it at their head.
        const outcome = parseGitHubDelivery('status', payload, receivedAt);
        expect(outcome).toEqual({
          kind: 'events',
          events: [
            {
              type: 'ci.succeeded',
              host: 'github',
              repository: 'Codertocat/Hello-World',
              ref: 'refs/heads/master',
              sha,
              // GitHub sends `target_url: null` when the CI gave no link.
              pipeline: { id: '6805126730', name: 'default', url: '' },
            },
          ],
        });
        expect(HoistEventSchema.safeParse(outcome.kind === 'events' ? outcome.events[0] : undefined).success).toBe(true);
      }
    });

    it('prefers the branch whose head is the commit, and reads context and target_url', () => {
      const payload = successExample();
      payload.branches[2].commit.sha = sha;
      payload.context = 'continuous-integration/jenkins';
      payload.target_url = 'https://jenkins.example.com/job/api/42/';
      expect(parseGitHubDelivery('status', payload, receivedAt)).toEqual({
        kind: 'events',
        events: [
          {
            type: 'ci.succeeded',
            host: 'github',
            repository: 'Codertocat/Hello-World',
            ref: 'refs/heads/gh-pages',
            sha,
            pipeline: { id: '6805126730', name: 'continuous-integration/jenkins', url: 'https://jenkins.example.com/job/api/42/' },
          },
        ],
      });
    });

    it('uses the commit SHA as ref when no branch contains the commit', () => {
      const payload = successExample();
      payload.branches = [];
      const outcome = parseGitHubDelivery('status', payload, receivedAt);
      expect(outcome.kind === 'events' && outcome.events[0]).toMatchObject({ type: 'ci.succeeded', ref: sha, sha });
    });

    it.each(['pending', 'failure', 'error'])("ignores a '%s' status with the reason", (state) => {
      const payload = successExample();
      payload.state = state;
      expect(parseGitHubDelivery('status', payload, receivedAt)).toEqual({
        kind: 'ignored',
        reason: `status 'default' is '${state}', not success`,
      });
    });

    it('rejects a status without a SHA or an id, naming the field', () => {
      const noSha = successExample();
      delete noSha.sha;
      expect(() => parseGitHubDelivery('status', noSha, receivedAt)).toThrowError(ValidationError);
      expect(() => parseGitHubDelivery('status', noSha, receivedAt)).toThrowError(/^github status payload: sha: /);
      const noId = successExample();
      noId.id = '6805126730';
      expect(() => parseGitHubDelivery('status', noId, receivedAt)).toThrowError(/^github status payload: id: /);
    });
  });

  it('turns a merged pull request into change.merged, and ignores one closed unmerged', () => {
    const closed = githubExamples('pull_request').find((p) => p.action === 'closed');
    if (closed === undefined) throw new Error('no closed pull_request example');
    expect(parseGitHubDelivery('pull_request', closed, receivedAt)).toEqual({
      kind: 'ignored',
      reason: `pull request #${closed.number} was closed without merging`,
    });
    const merged = structuredClone(closed);
    merged.pull_request.merged = true;
    const outcome = parseGitHubDelivery('pull_request', merged, receivedAt);
    expect(outcome).toMatchObject({
      kind: 'events',
      events: [{ type: 'change.merged', number: closed.number, targetBranch: closed.pull_request.base.ref }],
    });
  });

  it('ignores packages that are not container images', () => {
    const [npmPackage] = githubExamples('package');
    expect(parseGitHubDelivery('package', npmPackage, receivedAt)).toEqual({
      kind: 'ignored',
      reason: "package type 'npm' is not a container image",
    });
  });

  it('turns a published container package into image.published with tag and digest', () => {
    const outcome = parseGitHubDelivery('registry_package', fixture('github/registry-package-container.json'), receivedAt);
    expect(outcome).toEqual({
      kind: 'events',
      events: [
        {
          type: 'image.published',
          registry: 'ghcr.io',
          repository: 'octo-org/api',
          tag: '1.4.3',
          digest: 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd123456ab',
          // The version's 0001-01-01 timestamps are ignored; the package's own time is used.
          pushedAt: '2026-11-20T10:14:02.000Z',
          reportedBy: { host: 'github', event: 'registry_package', repository: 'octo-org/api' },
        },
      ],
    });
  });

  it('answers ping and ignores events it does not handle', () => {
    const [ping] = githubExamples('ping');
    expect(parseGitHubDelivery('ping', ping, receivedAt)).toEqual({ kind: 'ping', message: 'pong' });
    expect(parseGitHubDelivery('star', {}, receivedAt)).toEqual({ kind: 'ignored', reason: "GitHub event 'star' is not handled" });
  });

  it('rejects a payload missing fields it needs, naming the path', () => {
    const payload = githubExamples('push')[0];
    delete payload?.repository;
    expect(() => parseGitHubDelivery('push', payload, receivedAt)).toThrowError(ValidationError);
    expect(() => parseGitHubDelivery('push', payload, receivedAt)).toThrowError(/GitHub push payload: repository: /);
  });
});
