import { describe, expect, it } from 'vitest';
import { type HoistEvent, HoistEventSchema, type ImagePublished } from '../../../lambdas/core/events';
import { buildEnvelopes } from '../../../lambdas/core/intake/enqueue-once';
import { parseEcrEvent } from '../../../lambdas/core/intake/parse-ecr-event';
import { parseGiteaDelivery } from '../../../lambdas/core/intake/parse-gitea-delivery';
import { parseGitHubDelivery } from '../../../lambdas/core/intake/parse-github-delivery';
import { ValidationError } from '../../../lambdas/shared/errors';
import { fixture } from '../../support/webhook-examples';

const receivedAt = new Date('2026-11-23T08:00:00Z');

function firstImageEvent(outcome: { kind: string; events?: readonly HoistEvent[] }): ImagePublished {
  const event = outcome.events?.[0];
  if (event?.type !== 'image.published') throw new Error('expected an image.published event');
  return event;
}

/** Image events as the real ECR, GitHub and Gitea payloads produce them. */
const ecrImage = () => firstImageEvent(parseEcrEvent(fixture('ecr/push.json')).outcome);
const ghcrImage = () => firstImageEvent(parseGitHubDelivery('registry_package', fixture('github/registry-package-container.json'), receivedAt));
const giteaImage = () => firstImageEvent(parseGiteaDelivery('package', fixture('gitea/package.json'), receivedAt));

/** The issues zod reports for an event, as `path: message` pairs. */
function issuesOf(event: unknown): string[] {
  const result = HoistEventSchema.safeParse(event);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('events: image.published follows the distribution reference grammar', () => {
  it('accepts the images of the real ECR, GitHub and Gitea payloads', () => {
    for (const event of [ecrImage(), ghcrImage(), giteaImage()]) expect(issuesOf(event)).toEqual([]);
  });

  it.each([
    ['registry.gitlab.com', 'group/sub/name'],
    ['localhost:5000', 'x'],
    ['ghcr.io', 'octo-org/api'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'team/api'],
    ['[::1]:5000', 'team/api'],
    ['registry.example.com', 'a__b/c-d/e--f/g.h/i_j'],
  ])('accepts %s/%s', (registry, repository) => {
    const event = { ...structuredClone(ecrImage()), registry, repository };
    expect(issuesOf(event)).toEqual([]);
  });

  it.each([
    ['a newline', '1.4.3\nSigned-off-by: someone'],
    ['a space', '1.4.3 beta'],
    ['129 characters', `v${'1'.repeat(128)}`],
    ['a leading dot', '.1.4.3'],
    ['a leading dash', '-1.4.3'],
    ['a slash', 'release/1.4'],
    ['nothing', ''],
  ])('refuses a tag with %s, naming the tag', (_, tag) => {
    const event = { ...structuredClone(ghcrImage()), tag };
    expect(issuesOf(event)).toEqual([expect.stringMatching(/^tag: expected a tag of/)]);
  });

  it('accepts a tag of exactly 128 characters', () => {
    expect(issuesOf({ ...structuredClone(ghcrImage()), tag: `v${'1'.repeat(127)}` })).toEqual([]);
  });

  it.each([
    ['upper case', 'Team/API'],
    ['`..`', 'team/../api'],
    ['a leading slash', '/team/api'],
    ['a trailing slash', 'team/api/'],
    ['an empty component', 'team//api'],
    ['a separator at the end of a component', 'team-/api'],
    ['a newline', 'team/api\nx'],
    ['a tag in it', 'team/api:1.4.3'],
  ])('refuses a repository name with %s, naming the repository', (_, repository) => {
    const event = { ...structuredClone(ecrImage()), repository };
    expect(issuesOf(event)).toEqual([expect.stringMatching(/^repository: expected lower-case path components/)]);
  });

  it.each([
    ['a scheme', 'https://ghcr.io'],
    ['a path', 'ghcr.io/team'],
    ['a leading dash', '-ghcr.io'],
    ['a space', 'ghcr .io'],
    ['a port that is not a number', 'localhost:http'],
  ])('refuses a registry with %s, naming the registry', (_, registry) => {
    const event = { ...structuredClone(giteaImage()), registry };
    expect(issuesOf(event)).toEqual([expect.stringMatching(/^registry: expected a registry host/)]);
  });

  it('refuses a name over 255 characters, registry included', () => {
    const event = structuredClone(ecrImage());
    const room = 255 - `${event.registry}/team/`.length;
    expect(issuesOf({ ...event, repository: `team/${'a'.repeat(room)}` })).toEqual([]);
    expect(issuesOf({ ...event, repository: `team/${'a'.repeat(room + 1)}` })).toEqual(['repository: registry and repository together exceed 255 characters']);
  });

  it('makes intake refuse a bad tag with a ValidationError that names the field', () => {
    const event = { ...structuredClone(ecrImage()), tag: '1.4.3\nrm -rf' };
    expect(() => buildEnvelopes('ecr', 'evt-1', receivedAt, [event])).toThrowError(ValidationError);
    expect(() => buildEnvelopes('ecr', 'evt-1', receivedAt, [event])).toThrowError(/^ecr event: event\.tag: expected a tag/);
  });
});
