import { describe, expect, it } from 'vitest';
import { PromotionConfigSchema } from '../../../../lambdas/core/config/promotion-config';
import type { PlannedChange, Promotion } from '../../../../lambdas/core/promotion/plan-promotions';
import {
  bumpLineOf,
  describeRows,
  mergeRows,
  type PromotionRow,
  parsePullRequestBody,
  pullRequestTitle,
  updatedPullRequestText,
} from '../../../../lambdas/core/promotion/pull-request-text';
import { configuredTargets } from '../../../../lambdas/core/promotion/targets';

const TRIGGER = 'ecr ECR Image Action';
const row = (service: string, environment: string, from: string | undefined, to: string): PromotionRow => ({
  service,
  environment,
  ...(from === undefined ? {} : { from }),
  to,
  trigger: TRIGGER,
});
const api = row('api', 'prod', '1.4.2', '1.4.3');
const worker = row('worker', 'prod', '0.9.0', '0.9.5');
/** The description Hoist opened a PR with (describeRows, as apply-plan writes it). */
const opened = describeRows([api]);
const line = (r: PromotionRow) => `chore(${r.environment}): bump ${r.service} ${r.from ?? '(none)'} -> ${r.to}`;

describe('pull request text: reading the table Hoist wrote', () => {
  it('reads back the rows it wrote, a missing from-tag included', () => {
    const rows = [api, row('web', 'prod', undefined, '2.0.0')];
    expect(parsePullRequestBody(describeRows(rows))).toEqual({ above: 'Promotion opened by Hoist.\n\n', rows, below: '', eol: '\n', table: true });
  });

  it("keeps a person's text above and below the table as it is, CRLF line breaks included", () => {
    const body = `Waiting for the release window.\r\n\r\n${opened.replaceAll('\n', '\r\n')}\r\n\r\ncc @oncall`;
    expect(parsePullRequestBody(body)).toEqual({
      above: 'Waiting for the release window.\r\n\r\nPromotion opened by Hoist.\r\n\r\n',
      rows: [api],
      below: '\r\n\r\ncc @oncall',
      eol: '\r\n',
      table: true,
    });
  });

  it('finds no rows in a description without the table, and skips table lines it cannot have written', () => {
    expect(parsePullRequestBody('Just text.')).toEqual({ above: 'Just text.', rows: [], below: '', eol: '\n', table: false });
    const edited = `${opened}\n| half a row |`;
    expect(parsePullRequestBody(edited).rows).toEqual([api]);
  });
});

describe('pull request text: merging rows', () => {
  it('keeps rows of other targets and adds new ones at the end', () => {
    expect(mergeRows([api], [worker])).toEqual([api, worker]);
  });

  it('replaces the row of the same service and environment, keeping its original from-tag', () => {
    expect(mergeRows([api, worker], [row('api', 'prod', '1.4.3', '1.4.4')])).toEqual([row('api', 'prod', '1.4.2', '1.4.4'), worker]);
    // The base branch had no tag at all: it still has none.
    expect(mergeRows([row('api', 'prod', undefined, '1.4.3')], [row('api', 'prod', '1.4.3', '1.4.4')])).toEqual([row('api', 'prod', undefined, '1.4.4')]);
  });

  it('keeps rows of the same service in other environments', () => {
    const dev = row('api', 'dev', '1.4.2', '1.4.3');
    expect(mergeRows([dev], [row('api', 'prod', '1.4.2', '1.4.4')])).toEqual([dev, row('api', 'prod', '1.4.2', '1.4.4')]);
  });
});

describe('pull request text: titles', () => {
  it("is the bump's own line for one row", () => {
    expect(pullRequestTitle([row('api', 'prod', '1.4.2', '1.4.4')], 'hoist/prod', line)).toBe('chore(prod): bump api 1.4.2 -> 1.4.4');
  });

  it('counts the images of several', () => {
    expect(pullRequestTitle([api, worker], 'hoist/prod', line)).toBe('chore: promote 2 images on hoist/prod');
    expect(pullRequestTitle([api, row('api', 'dev', '1.4.1', '1.4.4')], 'hoist/api', line)).toBe('chore: promote 1 image on hoist/api');
  });

  it('reads one image to one tag in two places as that one bump, as a commit subject does', () => {
    expect(pullRequestTitle([api, row('api', 'prod', '1.4.2', '1.4.3')], 'hoist/prod', line)).toBe('chore(prod): bump api 1.4.2 -> 1.4.3');
  });
});

describe('pull request text: an open PR after another bump', () => {
  it("merges the table and keeps the person's text above it", () => {
    const body = `Waiting for the release window.\n\n${opened}`;
    expect(updatedPullRequestText(body, 'hoist/prod', [worker], line)).toEqual({
      title: 'chore: promote 2 images on hoist/prod',
      body: `Waiting for the release window.\n\n${describeRows([api, worker])}`,
    });
  });

  it('puts the table back after the text when a person removed it', () => {
    expect(updatedPullRequestText('Only prose now.\n', 'hoist/prod', [worker], line)).toEqual({
      title: 'chore(prod): bump worker 0.9.0 -> 0.9.5',
      body: `Only prose now.\n\n${describeRows([worker]).replace('Promotion opened by Hoist.\n\n', '')}`,
    });
  });
});

describe("pull request text: a bump's line", () => {
  const config = PromotionConfigSchema.parse({
    repositories: [{ name: 'gitops', provider: 'github', url: 'https://github.com/octo-org/gitops.git' }],
    images: [
      {
        image: 'ghcr.io/octo-org/api',
        targets: [
          {
            repository: 'gitops',
            file: 'apps/api/prod/values.yaml',
            environment: 'prod',
            mode: 'pull-request',
            commitMessage: 'deploy({environment}): {image} {oldTag} → {newTag}',
          },
        ],
      },
    ],
  });
  const [target] = configuredTargets(config, 'ghcr.io/octo-org/api', '1.4.4');
  const promotion: Promotion = {
    targetKey: target?.key as string,
    image: 'ghcr.io/octo-org/api',
    service: 'api',
    environment: 'prod',
    file: 'apps/api/prod/values.yaml',
    fromTag: '1.4.3',
    toTag: '1.4.4',
    source: TRIGGER,
    argocdApplications: [],
    envelopeIds: ['e2'],
  };
  const change: Pick<PlannedChange, 'title' | 'promotions'> = { title: 'deploy(prod): ghcr.io/octo-org/api 1.4.3 → 1.4.4', promotions: [promotion] };

  it("renders the target's commit message template from the row's tags", () => {
    const lineOf = bumpLineOf(config, change, () => undefined);
    expect(lineOf(row('api', 'prod', '1.4.2', '1.4.4'))).toBe('deploy(prod): ghcr.io/octo-org/api 1.4.2 → 1.4.4');
  });

  it("falls back to the change's title for a target config no longer has", () => {
    const lineOf = bumpLineOf(config, { ...change, promotions: [{ ...promotion, targetKey: 'gone' }] }, () => undefined);
    expect(lineOf(row('api', 'prod', '1.4.2', '1.4.4'))).toBe(change.title);
  });
});
