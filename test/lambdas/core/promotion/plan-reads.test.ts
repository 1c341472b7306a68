import { describe, expect, it } from 'vitest';
import { largeValuesFile } from '../../../../bench/values-files';
import { PromotionConfigSchema } from '../../../../lambdas/core/config/promotion-config';
import { type ImageUpdate, planPromotions } from '../../../../lambdas/core/promotion/plan-promotions';
import { editsForSite, findImageSites } from '../../../../lambdas/core/yaml/image-sites';
import { applyScalarEdits } from '../../../../lambdas/core/yaml/scalar-splice';
import { createYamlReader } from '../../../../lambdas/core/yaml/yaml-reader';

const COMPONENTS = 20;
/** The bench's umbrella-chart shape: `componentN.image.{repository,tag}` for N below COMPONENTS. */
const values = largeValuesFile(COMPONENTS * 16 + 4);
const imageOf = (n: number) => `ghcr.io/example/component-${n}`;

const update = (n: number, tag: string, envelope = `e${n}`): ImageUpdate => ({
  image: imageOf(n),
  tag,
  pushedAt: '2026-11-23T08:00:00.000Z',
  source: 'ecr ECR Image Action',
  envelopeId: envelope,
});

const config = PromotionConfigSchema.parse({
  repositories: [{ name: 'gitops', provider: 'git', url: '/x' }],
  images: Array.from({ length: COMPONENTS }, (_, n) => ({
    image: imageOf(n),
    policy: 'semver:*',
    targets: [{ repository: 'gitops', file: 'umbrella/values.yaml', environment: 'prod', edit: { kind: 'helm', tagPath: `component${n}.image.tag` } }],
  })),
});

describe('planner: one read per file per plan', () => {
  it(`reads a file that ${COMPONENTS} targets edit once, and writes what editing it target by target writes`, () => {
    const yaml = createYamlReader();
    const updates = Array.from({ length: COMPONENTS }, (_, n) => update(n, `2.${n}.0`));
    const plan = planPromotions({
      config,
      updates,
      fileOf: () => ({ kind: 'text', text: values }),
      stateOf: () => undefined,
      pushedAtOf: () => undefined,
      yaml,
    });
    expect(yaml.reads).toBe(1);

    // The engine as it was: each target reads the text the previous one wrote.
    let expected = values;
    for (let n = 0; n < COMPONENTS; n += 1) {
      const sites = findImageSites(expected, 'umbrella/values.yaml', { kind: 'helm', tagPath: `component${n}.image.tag` }, imageOf(n));
      expected = applyScalarEdits(
        expected,
        sites.flatMap((site) => editsForSite(site, { tag: `2.${n}.0`, digestMode: 'none' })),
      );
    }
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]?.files).toEqual([{ path: 'umbrella/values.yaml', content: expected }]);
    expect(plan.changes[0]?.promotions.map((p) => [p.fromTag, p.toTag])).toEqual(Array.from({ length: COMPONENTS }, (_, n) => [`1.${n}.0`, `2.${n}.0`]));
  });

  it('reads a file once for many events of one image', () => {
    const yaml = createYamlReader();
    const updates = Array.from({ length: 50 }, (_, i) => update(3, `1.3.${i + 1}`, `e${i}`));
    const plan = planPromotions({
      config,
      updates,
      fileOf: () => ({ kind: 'text', text: values }),
      stateOf: () => undefined,
      pushedAtOf: () => undefined,
      yaml,
    });
    expect(yaml.reads).toBe(1);
    expect(plan.changes[0]?.promotions.map((p) => p.toTag)).toEqual(['1.3.50']);
  });

  it('reads a marker file once for all the events that look into it', () => {
    const markers = Array.from({ length: 10 }, (_, n) => `svc${n}:\n  tag: 1.0.0 # hoist: {"image": "${imageOf(n)}"}\n`).join('');
    const markerConfig = PromotionConfigSchema.parse({
      repositories: [{ name: 'gitops', provider: 'git', url: '/x', markerFiles: ['markers.yaml'] }],
      images: [],
    });
    const yaml = createYamlReader();
    const updates = Array.from({ length: 10 }, (_, n) => update(n, '1.0.1'));
    const plan = planPromotions({
      config: markerConfig,
      updates,
      fileOf: () => ({ kind: 'text', text: markers }),
      stateOf: () => undefined,
      pushedAtOf: () => undefined,
      yaml,
    });
    expect(yaml.reads).toBe(1);
    expect(plan.changes[0]?.files[0]?.content).toBe(markers.replaceAll('tag: 1.0.0', 'tag: 1.0.1'));
  });
});
