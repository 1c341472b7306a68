import { describe, expect, it } from 'vitest';
import { parsePromotionConfig } from '../../../../lambdas/core/config/parse-promotion-config';
import type { ApplicationStatus } from '../../../../lambdas/core/ports';
import { activeFreeze } from '../../../../lambdas/core/promotion/freeze-windows';
import { decideGate, type GateCheck, gateChecksAfter, gateTargetOf } from '../../../../lambdas/core/promotion/gate-check';
import { configuredTargets } from '../../../../lambdas/core/promotion/targets';
import { routesOf } from '../../../../lambdas/core/promotion/triggers';
import { TerminalError } from '../../../../lambdas/shared/errors';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const REVISION = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

const CHAIN = `repositories: [{ name: gitops, provider: git, url: /x }]
services:
  - name: api
    image: "*.dkr.ecr.*.amazonaws.com/team/api"
    policy: semver:^1
    repository: gitops
    file: apps/{service}/{environment}/values.yaml
    environments:
      - { name: dev, mode: commit }
      - { name: staging, mode: commit, after: dev, gate: { healthy: true, soak: 10m, timeout: 30m, every: 30s } }
      - name: prod
        mode: pull-request
        after: staging
        approval: slack
        freeze: [{ cron: "0 18 * * 5", duration: 62h, timezone: Europe/Berlin }]
`;
const config = parsePromotionConfig(CHAIN);

const status = (sync: string, health: string, revision = REVISION): ApplicationStatus => ({ sync, health, revision });
const checkAt = (startedAt: string, extra: Partial<GateCheck> = {}): GateCheck => {
  const [check] = gateChecksAfter(
    config,
    [
      {
        targetKey: configuredKey('dev'),
        image: IMAGE,
        service: 'api',
        environment: 'dev',
        file: 'apps/api/dev/values.yaml',
        toTag: '1.4.3',
        pushedAt: '2026-11-23T08:00:00Z',
        source: 'ecr',
        argocdApplications: ['api-dev'],
        envelopeIds: ['e1'],
      },
    ],
    REVISION,
    new Date(startedAt),
  );
  if (check === undefined) throw new Error('no gate opened');
  return { ...check, ...extra };
};
function configuredKey(environment: string): string {
  const target = configuredTargets(config, IMAGE, '1.4.3').find((t) => t.environment === environment);
  if (target === undefined) throw new Error(`no target in ${environment}`);
  return target.key;
}

describe('environments: a service chain in config', () => {
  it('becomes an image with one target per environment, each file from the pattern, Argo CD applications named after both', () => {
    const [image] = config.images;
    expect(image?.service).toBe('api');
    expect(image?.targets.map((t) => [t.environment, t.file, t.mode, t.after ?? '-', t.argocdApplications.join()])).toEqual([
      ['dev', 'apps/api/dev/values.yaml', 'commit', '-', 'api-dev'],
      ['staging', 'apps/api/staging/values.yaml', 'commit', 'dev', 'api-staging'],
      ['prod', 'apps/api/prod/values.yaml', 'pull-request', 'staging', 'api-prod'],
    ]);
  });

  it('sends a new tag only to the environments that follow no other', () => {
    expect(routesOf(config, IMAGE, '1.4.3')).toEqual([{ repository: 'gitops', branch: 'main' }]);
    expect(routesOf(config, IMAGE, '1.4.3', 'prod')).toEqual([{ repository: 'gitops', branch: 'hoist/prod/api' }]);
  });

  it('names the path of a chain that cannot work', () => {
    const bad = CHAIN.replace('after: dev,', 'after: qa,')
      .replace('approval: slack', 'approval: slack\n        mode: commit')
      .replace('        mode: pull-request\n', '');
    let message = '';
    try {
      parsePromotionConfig(bad);
    } catch (error) {
      expect(error).toBeInstanceOf(TerminalError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/'qa' is not an environment listed before this one\n\s+→ at services\[0\]\.environments\[1\]\.after/);
    expect(message).toMatch(/an approval merges a pull request: set mode: pull-request\n\s+→ at services\[0\]\.environments\[2\]\.approval/);
    expect(() => parsePromotionConfig(CHAIN.replace('0 18 * * 5', 'at six'))).toThrow(
      /cron expression of five fields[^\n]*\n\s+→ at services\[0\]\.environments\[2\]\.freeze\[0\]\.cron/,
    );
    expect(() => parsePromotionConfig(CHAIN.replace('Europe/Berlin', 'Mars/Olympus'))).toThrow(/an IANA time zone/);
  });
});

describe('environments: gates', () => {
  it('opens a gate for each environment that follows the one a commit landed in', () => {
    const check = checkAt('2026-11-23T09:00:00Z');
    expect(check).toMatchObject({
      environment: 'staging',
      after: 'dev',
      applications: ['api-dev'],
      revision: REVISION,
      deadline: '2026-11-23T09:30:00.000Z',
      polls: 0,
    });
  });

  it('waits until the application is synced to the revision, then soaks, then passes', () => {
    const target = gateTargetOf(config, { image: IMAGE, tag: '1.4.3', environment: 'staging', after: 'dev' });
    const start = checkAt('2026-11-23T09:00:00Z');
    const stale = decideGate(start, target, new Map([['api-dev', status('Synced', 'Healthy', 'ffffffff')]]), new Date('2026-11-23T09:00:30Z'));
    expect(stale).toMatchObject({ kind: 'wait', delaySeconds: 30, reason: 'api-dev is Synced at ffffffff, not yet at a1b2c3d4' });

    const healthy = decideGate(start, target, new Map([['api-dev', status('Synced', 'Healthy')]]), new Date('2026-11-23T09:01:00Z'));
    expect(healthy).toMatchObject({ kind: 'wait', check: { healthySince: '2026-11-23T09:01:00.000Z', polls: 1 } });

    const soaking = healthy.kind === 'wait' ? healthy.check : start;
    expect(decideGate(soaking, target, new Map([['api-dev', status('Synced', 'Healthy')]]), new Date('2026-11-23T09:06:00Z'))).toMatchObject({
      kind: 'wait',
      reason: 'dev healthy for 300 s of 600 s',
    });
    // A break in health starts the soak again.
    const broken = decideGate(soaking, target, new Map([['api-dev', status('Synced', 'Progressing')]]), new Date('2026-11-23T09:07:00Z'));
    expect(broken.kind === 'wait' && broken.check.healthySince).toBeUndefined();
    expect(decideGate(soaking, target, new Map([['api-dev', status('Synced', 'Healthy')]]), new Date('2026-11-23T09:11:00Z'))).toMatchObject({ kind: 'pass' });
  });

  it('fails on a Degraded application, a missing one, and at the deadline, each with the reason', () => {
    const target = gateTargetOf(config, { image: IMAGE, tag: '1.4.3', environment: 'staging', after: 'dev' });
    const start = checkAt('2026-11-23T09:00:00Z');
    expect(decideGate(start, target, new Map([['api-dev', status('Synced', 'Degraded')]]), new Date('2026-11-23T09:01:00Z'))).toEqual({
      kind: 'fail',
      reason: 'api-dev is Degraded in dev; staging does not follow',
    });
    expect(decideGate(start, target, new Map([['api-dev', undefined]]), new Date('2026-11-23T09:01:00Z'))).toEqual({
      kind: 'fail',
      reason: "Argo CD has no application 'api-dev' (of dev)",
    });
    expect(decideGate(start, target, new Map([['api-dev', status('OutOfSync', 'Healthy')]]), new Date('2026-11-23T09:30:00Z'))).toMatchObject({
      kind: 'fail',
      reason: expect.stringMatching(/^timed out waiting for dev: api-dev is OutOfSync/),
    });
  });

  it('passes at once without a health gate, and waits out a freeze window, moving the deadline past it', () => {
    const prod = gateTargetOf(config, { image: IMAGE, tag: '1.4.3', environment: 'prod', after: 'staging' });
    const check = { ...checkAt('2026-11-27T16:00:00Z'), environment: 'prod', after: 'staging' };
    // Friday 18:00 in Berlin is 17:00 UTC in November; the window lasts 62 hours.
    const frozen = decideGate(check, prod, new Map(), new Date('2026-11-27T17:30:00Z'));
    expect(frozen).toMatchObject({ kind: 'wait', delaySeconds: 900, reason: 'prod is frozen until 2026-11-30T07:00:00.000Z (0 18 * * 5 Europe/Berlin)' });
    expect(frozen.kind === 'wait' && frozen.check.deadline).toBe('2026-11-30T07:30:00.000Z');
    expect(decideGate(check, prod, new Map(), new Date('2026-11-30T07:00:00Z'))).toMatchObject({ kind: 'pass' });
    expect(decideGate(check, prod, new Map(), new Date('2026-11-27T16:59:59Z'))).toMatchObject({ kind: 'pass' });
  });

  it('finds the freeze window of a time with daylight saving', () => {
    const rules = [{ cron: '0 18 * * 5', timezone: 'Europe/Berlin', durationSeconds: 3600 }];
    // In July Berlin is UTC+2: the window opens at 16:00 UTC.
    expect(activeFreeze(rules, new Date('2026-07-03T16:30:00Z'))?.opened.toISOString()).toBe('2026-07-03T16:00:00.000Z');
    expect(activeFreeze(rules, new Date('2026-07-03T17:00:00Z'))).toBeUndefined();
  });
});
