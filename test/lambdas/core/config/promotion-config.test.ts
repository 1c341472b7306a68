import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePromotionConfig } from '../../../../lambdas/core/config/parse-promotion-config';
import { promotionConfigJsonSchema } from '../../../../lambdas/core/config/promotion-config';
import { TerminalError } from '../../../../lambdas/shared/errors';

describe('config: promotion settings', () => {
  it('reads the shipped hoist.config.yaml, expanding short forms and defaults', () => {
    const config = parsePromotionConfig(readFileSync('hoist.config.yaml', 'utf8'));
    expect(config.repositories[0]).toMatchObject({ name: 'gitops', provider: 'github', baseBranch: 'main' });
    const [image] = config.images;
    expect(image?.policy).toEqual({ type: 'semver', range: '^1', prerelease: false });
    expect(image?.targets[1]).toMatchObject({
      mode: 'pull-request',
      digest: 'none',
      commitMessage: 'chore({environment}): bump {service} {oldTag} -> {newTag}',
    });
  });

  it('names the exact path and problem of a bad setting', () => {
    const text =
      'repositories: [{ name: gitops, provider: git, url: /x }]\nimages:\n  - image: a/b\n    policy: semver:not-a-range!\n    targets:\n      - { repository: gitops, file: v.yaml, environment: dev, edit: { kind: argocd-application } }\n      - { repository: other, file: v.yaml, environment: prod }\n';
    let error: unknown;
    try {
      parsePromotionConfig(text, 'hoist.config.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TerminalError);
    const message = (error as Error).message;
    expect(message).toMatch(/not a valid semver range\n\s+→ at images\[0\]\.policy/);
    expect(message).toMatch(/set exactly one of helmParameter, valuesObjectPath, kustomizeImage\n\s+→ at images\[0\]\.targets\[0\]\.edit/);
    expect(message).toMatch(/no repository named 'other'\n\s+→ at images\[0\]\.targets\[1\]\.repository/);
  });

  it('exports a JSON Schema for editor completion', () => {
    const schema = promotionConfigJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['repositories', 'images', 'argocd', 'slack']));
    expect(JSON.stringify(schema)).toContain('"pull-request"');
  });
});
