import { describe, expect, it } from 'vitest';
import { HoistEventSchema } from '../../../../lambdas/core/events';
import { parseGiteaDelivery } from '../../../../lambdas/core/intake/parse-gitea-delivery';
import { ValidationError } from '../../../../lambdas/shared/errors';
import { fixture } from '../../../support/webhook-examples';

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

  it('normalizes a tag push, the tag name recoverable from ref', () => {
    const payload = fixture('gitea/push.json');
    // Gitea sends a created tag as a push of refs/tags/… from the zero SHA, listing no commits.
    Object.assign(payload, { ref: 'refs/tags/v1.2.3', before: '0000000000000000000000000000000000000000', commits: [] });
    const outcome = parseGiteaDelivery('push', payload, receivedAt);
    expect(outcome).toEqual({
      kind: 'events',
      events: [
        {
          type: 'git.push',
          host: 'gitea',
          repository: 'gitea/webhooks',
          ref: 'refs/tags/v1.2.3',
          refType: 'tag',
          before: '0000000000000000000000000000000000000000',
          after: 'bffeb74224043ba2feb48d137756c8a9331c449a',
          changedPaths: [],
          changedPathsTruncated: false,
          author: 'gitea',
        },
      ],
    });
    const event = outcome.kind === 'events' ? outcome.events[0] : undefined;
    expect(event?.type === 'git.push' && event.ref.replace(/^refs\/tags\//, '')).toBe('v1.2.3');
  });

  describe('status (commit statuses, as Woodpecker reports them)', () => {
    it('turns a successful status into ci.succeeded; Gitea lists no branches, so ref is the SHA', () => {
      const outcome = parseGiteaDelivery('status', fixture('gitea/status.json'), receivedAt);
      expect(outcome).toEqual({
        kind: 'events',
        events: [
          {
            type: 'ci.succeeded',
            host: 'gitea',
            repository: 'gitea/webhooks',
            ref: 'bffeb74224043ba2feb48d137756c8a9331c449a',
            sha: 'bffeb74224043ba2feb48d137756c8a9331c449a',
            pipeline: { id: '311', name: 'ci/woodpecker/push/build', url: 'https://ci.example.com/repos/7/pipeline/42/1' },
          },
        ],
      });
      expect(HoistEventSchema.safeParse(outcome.kind === 'events' ? outcome.events[0] : undefined).success).toBe(true);
    });

    it.each(['pending', 'failure', 'error', 'warning'])("ignores a '%s' status with the reason", (state) => {
      const payload = fixture('gitea/status.json');
      payload.state = state;
      expect(parseGiteaDelivery('status', payload, receivedAt)).toEqual({
        kind: 'ignored',
        reason: `status 'ci/woodpecker/push/build' is '${state}', not success`,
      });
    });

    it('rejects a status without a context, naming the field', () => {
      const payload = fixture('gitea/status.json');
      delete payload.context;
      expect(() => parseGiteaDelivery('status', payload, receivedAt)).toThrowError(ValidationError);
      expect(() => parseGiteaDelivery('status', payload, receivedAt)).toThrowError(/^gitea status payload: context: /);
    });
  });

  describe('workflow_run (Gitea Actions)', () => {
    it('turns a completed successful run into ci.succeeded named after its workflow', () => {
      const outcome = parseGiteaDelivery('workflow_run', fixture('gitea/workflow-run.json'), receivedAt);
      expect(outcome).toEqual({
        kind: 'events',
        events: [
          {
            type: 'ci.succeeded',
            host: 'gitea',
            repository: 'gitea/webhooks',
            ref: 'refs/heads/develop',
            sha: 'bffeb74224043ba2feb48d137756c8a9331c449a',
            pipeline: { id: '53', name: 'Build image', url: 'http://localhost:3000/gitea/webhooks/actions/runs/12' },
          },
        ],
      });
      expect(HoistEventSchema.safeParse(outcome.kind === 'events' ? outcome.events[0] : undefined).success).toBe(true);
    });

    it('reads the tag of a tag run from `path`, as Gitea sends no head_branch for it', () => {
      const payload = fixture('gitea/workflow-run.json');
      delete payload.workflow_run.head_branch;
      payload.workflow_run.path = 'build.yml@refs/tags/v1.2.3';
      const outcome = parseGiteaDelivery('workflow_run', payload, receivedAt);
      expect(outcome.kind === 'events' && outcome.events[0]).toMatchObject({ type: 'ci.succeeded', ref: 'refs/tags/v1.2.3' });
    });

    it('uses the SHA as ref for a pull request run, and the run id when the workflow is unknown', () => {
      const payload = fixture('gitea/workflow-run.json');
      delete payload.workflow_run.head_branch;
      payload.workflow_run.path = 'build.yml@refs/pull/7/head';
      payload.workflow = null;
      const outcome = parseGiteaDelivery('workflow_run', payload, receivedAt);
      expect(outcome.kind === 'events' && outcome.events[0]).toMatchObject({
        ref: 'bffeb74224043ba2feb48d137756c8a9331c449a',
        pipeline: { id: '53', name: 'run 53' },
      });
    });

    it('ignores runs that are not completed or did not succeed, with the reason', () => {
      const running = fixture('gitea/workflow-run.json');
      Object.assign(running, { action: 'in_progress' });
      Object.assign(running.workflow_run, { status: 'in_progress', conclusion: undefined });
      expect(parseGiteaDelivery('workflow_run', running, receivedAt)).toEqual({
        kind: 'ignored',
        reason: "workflow_run action 'in_progress' is not handled",
      });
      const failed = fixture('gitea/workflow-run.json');
      failed.workflow_run.conclusion = 'failure';
      expect(parseGiteaDelivery('workflow_run', failed, receivedAt)).toEqual({
        kind: 'ignored',
        reason: "workflow_run concluded 'failure', not success",
      });
    });

    it('rejects a run without head_sha, naming the field', () => {
      const payload = fixture('gitea/workflow-run.json');
      delete payload.workflow_run.head_sha;
      expect(() => parseGiteaDelivery('workflow_run', payload, receivedAt)).toThrowError(ValidationError);
      expect(() => parseGiteaDelivery('workflow_run', payload, receivedAt)).toThrowError(/^Gitea workflow_run payload: workflow_run\.head_sha: /);
    });
  });
});
