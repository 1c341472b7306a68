import { describe, expect, it } from 'vitest';
import { HoistEventSchema } from '../../../../lambdas/core/events';
import { parseGitLabDelivery } from '../../../../lambdas/core/intake/parse-gitlab-delivery';
import { ValidationError } from '../../../../lambdas/shared/errors';
import { fixture } from '../../../support/webhook-examples';

describe('intake: GitLab deliveries (payload examples from GitLab "Webhook events" docs)', () => {
  it('normalizes a Push Hook and flags paths beyond the 20 listed commits as unknown', () => {
    const outcome = parseGitLabDelivery('Push Hook', fixture('gitlab/push.json'));
    expect(outcome).toEqual({
      kind: 'events',
      events: [
        {
          type: 'git.push',
          host: 'gitlab',
          repository: 'mike/diaspora',
          ref: 'refs/heads/master',
          refType: 'branch',
          before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
          after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
          changedPaths: ['CHANGELOG', 'app/controller/application.rb'],
          // total_commits_count is 4 but only 2 commits are listed.
          changedPathsTruncated: true,
          author: 'jsmith',
        },
      ],
    });
  });

  it('normalizes a Tag Push Hook as a tag push', () => {
    const outcome = parseGitLabDelivery('Tag Push Hook', fixture('gitlab/tag-push.json'));
    expect(outcome).toEqual({
      kind: 'events',
      events: [
        {
          type: 'git.push',
          host: 'gitlab',
          repository: 'jsmith/example',
          ref: 'refs/tags/v1.0.0',
          refType: 'tag',
          before: '0000000000000000000000000000000000000000',
          after: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
          changedPaths: [],
          changedPathsTruncated: false,
          // The documented example has no user_username.
          author: 'John Smith',
        },
      ],
    });
  });

  it('turns a successful Pipeline Hook into ci.succeeded and ignores a failed one', () => {
    const payload = fixture('gitlab/pipeline.json');
    const outcome = parseGitLabDelivery('Pipeline Hook', payload);
    expect(outcome).toEqual({
      kind: 'events',
      events: [
        {
          type: 'ci.succeeded',
          host: 'gitlab',
          repository: 'gitlab-org/gitlab-test',
          ref: 'refs/heads/master',
          sha: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
          pipeline: { id: '31', name: 'Pipeline for branch: master', url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31' },
        },
      ],
    });
    expect(outcome.kind === 'events' && HoistEventSchema.safeParse(outcome.events[0]).success).toBe(true);
    payload.object_attributes.status = 'failed';
    expect(parseGitLabDelivery('Pipeline Hook', payload)).toEqual({ kind: 'ignored', reason: "pipeline 31 status is 'failed', not success" });
  });

  it('gives a tag pipeline the tag as ref', () => {
    const payload = fixture('gitlab/pipeline.json');
    Object.assign(payload.object_attributes, { ref: 'v1.0.0', tag: true, name: 'Release' });
    expect(parseGitLabDelivery('Pipeline Hook', payload)).toEqual({
      kind: 'events',
      events: [
        {
          type: 'ci.succeeded',
          host: 'gitlab',
          repository: 'gitlab-org/gitlab-test',
          ref: 'refs/tags/v1.0.0',
          sha: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
          pipeline: { id: '31', name: 'Release', url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31' },
        },
      ],
    });
  });

  it('names a pipeline without a (non-empty) name after its iid', () => {
    const payload = fixture('gitlab/pipeline.json');
    delete payload.object_attributes.name;
    const outcome = parseGitLabDelivery('Pipeline Hook', payload);
    expect(outcome.kind === 'events' && outcome.events[0]).toMatchObject({ pipeline: { id: '31', name: 'pipeline 3' } });
    for (const name of [null, '']) {
      payload.object_attributes.name = name;
      const unnamed = parseGitLabDelivery('Pipeline Hook', payload);
      expect(unnamed.kind === 'events' && unnamed.events[0]).toMatchObject({ pipeline: { name: 'pipeline 3' } });
    }
  });

  it('keeps the full ref of a merge request pipeline', () => {
    const payload = fixture('gitlab/pipeline.json');
    payload.object_attributes.ref = 'refs/merge-requests/1/head';
    const outcome = parseGitLabDelivery('Pipeline Hook', payload);
    expect(outcome.kind === 'events' && outcome.events[0]).toMatchObject({ type: 'ci.succeeded', ref: 'refs/merge-requests/1/head' });
  });

  it('rejects a Pipeline Hook without a sha, naming the field', () => {
    const payload = fixture('gitlab/pipeline.json');
    delete payload.object_attributes.sha;
    expect(() => parseGitLabDelivery('Pipeline Hook', payload)).toThrowError(ValidationError);
    expect(() => parseGitLabDelivery('Pipeline Hook', payload)).toThrowError(/^GitLab pipeline payload: object_attributes\.sha: /);
  });

  it('turns a merged Merge Request Hook into change.merged and ignores the documented "open" example', () => {
    const opened = fixture('gitlab/merge-request.json');
    expect(parseGitLabDelivery('Merge Request Hook', opened)).toEqual({
      kind: 'ignored',
      reason: "merge request action 'open' is not handled",
    });
    const merged = structuredClone(opened);
    Object.assign(merged.object_attributes, { action: 'merge', state: 'merged', merge_commit_sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' });
    expect(parseGitLabDelivery('Merge Request Hook', merged)).toMatchObject({
      kind: 'events',
      events: [{ type: 'change.merged', number: 1, sourceBranch: 'ms-viewport', targetBranch: 'master', mergedBy: 'root' }],
    });
  });

  it('ignores a header that contradicts object_kind, and unknown kinds', () => {
    expect(parseGitLabDelivery('Pipeline Hook', fixture('gitlab/push.json'))).toEqual({
      kind: 'ignored',
      reason: "X-Gitlab-Event 'Pipeline Hook' does not match object_kind 'push'",
    });
    expect(parseGitLabDelivery('Wiki Page Hook', { object_kind: 'wiki_page' })).toEqual({
      kind: 'ignored',
      reason: "GitLab event 'Wiki Page Hook' is not handled",
    });
  });

  it('rejects a body without object_kind', () => {
    expect(() => parseGitLabDelivery('Push Hook', { ref: 'refs/heads/main' })).toThrowError(/GitLab payload: object_kind: /);
  });
});
