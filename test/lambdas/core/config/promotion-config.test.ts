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

  it('refuses target and marker paths that leave the repository or reach into .git, for every provider', () => {
    const config = (file: string, markers: string[] = []) =>
      `repositories: [{ name: gitops, provider: gitea, url: https://gitea.example/o/r.git, markerFiles: ${JSON.stringify(markers)} }]\nimages:\n  - image: a/b\n    targets:\n      - { repository: gitops, file: ${JSON.stringify(file)}, environment: dev }\n`;
    const messageOf = (text: string) => {
      try {
        parsePromotionConfig(text);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(messageOf(config('../../etc/passwd'))).toMatch(
      /'\.\.\/\.\.\/etc\/passwd' must not contain empty, '\.' or '\.\.' segments\n\s+→ at images\[0\]\.targets\[0\]\.file/,
    );
    expect(messageOf(config('/etc/passwd'))).toMatch(/must be relative to the repository root\n\s+→ at images\[0\]\.targets\[0\]\.file/);
    expect(messageOf(config('apps/.git/config'))).toMatch(/must not reach into '\.git'/);
    expect(messageOf(config('apps\\\\..\\\\x.yaml'))).toMatch(/must not contain a backslash/);
    expect(messageOf(config('apps/v.yaml', ['ok.yaml', '.git/hooks/pre-commit']))).toMatch(
      /must not reach into '\.git'\n\s+→ at repositories\[0\]\.markerFiles\[1\]/,
    );
    expect(messageOf(config('apps/./v.yaml'))).toMatch(/segments/);
    expect(messageOf(config('apps/dev/values.yaml', ['apps/markers.yaml']))).toBe('accepted');
  });

  it('names the path of a trigger on a glob image and of a values-only target without values', () => {
    const text =
      'repositories: [{ name: gitops, provider: git, url: /x }]\nimages:\n  - image: ghcr.io/acme/*\n    from: [{ host: github, repository: acme/api, on: ci.succeeded, tag: "{sha:7}" }]\n    targets:\n      - { repository: gitops, file: v.yaml, environment: dev, setOnly: true }\n';
    expect(() => parsePromotionConfig(text)).toThrowError(/a Git event builds one image; 'ghcr.io\/acme\/\*' is a glob\n\s+→ at images\[0\]\.from/);
    expect(() => parsePromotionConfig(text)).toThrowError(/setOnly needs at least one value in set\n\s+→ at images\[0\]\.targets\[0\]\.set/);
    expect(() => parsePromotionConfig(text.replace('{sha:7}', '{commit}'))).toThrowError(/→ at images\[0\]\.from\[0\]\.tag/);
  });

  it('refuses a branch template git would refuse, and a misspelt top-level key, naming the path', () => {
    const base =
      'repositories: [{ name: gitops, provider: git, url: /x }]\nimages:\n  - image: a/b\n    targets:\n      - { repository: gitops, file: v.yaml, environment: prod, mode: pull-request, branch: "BRANCH" }\n';
    expect(() => parsePromotionConfig(base.replace('BRANCH', 'hoist/../x'))).toThrowError(
      /must not contain '\.\.', '@\{' or '\/\/'\n\s+→ at images\[0\]\.targets\[0\]\.branch/,
    );
    expect(() => parsePromotionConfig(base.replace('BRANCH', 'hoist/{service} x'))).toThrowError(/must not contain spaces/);
    expect(() => parsePromotionConfig(base.replace('BRANCH', 'hoist/{service}.lock'))).toThrowError(/end in '\.lock'/);
    expect(parsePromotionConfig(base.replace('BRANCH', 'hoist/{environment}/{service}-{newTag}')).images[0]?.targets[0]?.branch).toBe(
      'hoist/{environment}/{service}-{newTag}',
    );
    expect(() => parsePromotionConfig(`${base.replace('BRANCH', 'x')}imagez: []\n`)).toThrowError(/Unrecognized key: "imagez"/);
  });

  it('reads slack.app: secrets by name or variable, the channel id, approvers by user and group id', () => {
    const text =
      'slack:\n  app:\n    botTokenSecretName: hoist/slack/bot-token\n    signingSecretName: hoist/slack/signing-secret\n    channel: C0123ABCD\n    approvers: { users: [U0123ABCD], userGroups: [S0123ABCD] }\n';
    expect(parsePromotionConfig(text).slack.app).toEqual({
      botTokenSecretName: 'hoist/slack/bot-token',
      signingSecretName: 'hoist/slack/signing-secret',
      channel: 'C0123ABCD',
      approvers: { users: ['U0123ABCD'], userGroups: ['S0123ABCD'] },
    });
    // Groups alone are enough; users default to none.
    const local =
      'slack:\n  app: { botTokenEnv: SLACK_BOT_TOKEN, signingSecretEnv: SLACK_SIGNING_SECRET, channel: G0PRIVATE, approvers: { userGroups: [S0123ABCD] } }\n';
    expect(parsePromotionConfig(local).slack.app?.approvers).toEqual({ users: [], userGroups: ['S0123ABCD'] });
    expect(parsePromotionConfig('slack: {}\n').slack.app).toBeUndefined();
  });

  it('names the path of every bad slack.app setting', () => {
    const text = 'slack:\n  app: { channel: "#releases", approvers: { users: [alice], userGroups: [] }, botTokenEnv: lower }\n';
    const check = (pattern: RegExp) => expect(() => parsePromotionConfig(text)).toThrowError(pattern);
    check(/a Slack channel id such as C0123ABCD \(not its #name\)\n\s+→ at slack\.app\.channel/);
    check(/a Slack user id such as U0123ABCD\n\s+→ at slack\.app\.approvers\.users\[0\]/);
    check(/an environment variable name \(A-Z, 0-9, _\)\n\s+→ at slack\.app\.botTokenEnv/);
    const nobody = 'slack:\n  app: { channel: C0123ABCD, approvers: {}, botTokenEnv: T, signingSecretEnv: S }\n';
    expect(() => parsePromotionConfig(nobody)).toThrowError(/name at least one user or user group, or nobody can approve\n\s+→ at slack\.app\.approvers/);
    const noSecrets = 'slack:\n  app: { channel: C0123ABCD, approvers: { users: [U0123ABCD] } }\n';
    expect(() => parsePromotionConfig(noSecrets)).toThrowError(
      /name signingSecretName \(AWS\) or signingSecretEnv \(dev server\)\n\s+→ at slack\.app\.signingSecretName/,
    );
    expect(() => parsePromotionConfig(noSecrets)).toThrowError(
      /name botTokenSecretName \(AWS\) or botTokenEnv \(dev server\)\n\s+→ at slack\.app\.botTokenSecretName/,
    );
    expect(() => parsePromotionConfig(noSecrets.replace('channel:', 'chanel: x, channel:'))).toThrowError(/Unrecognized key: "chanel"\n\s+→ at slack\.app/);
  });

  it('exports a JSON Schema for editor completion', () => {
    const schema = promotionConfigJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['repositories', 'images', 'argocd', 'slack']));
    expect(JSON.stringify(schema)).toContain('"pull-request"');
  });
});
