import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePromotionConfig } from '../../../lambdas/core/config/parse-promotion-config';
import { gateSecretNames, parseHoistConfig, promoterSecretNames, secretsSyncSettings, slackActionsSettings } from '../../../lib/config/hoist-config';

describe('config: hoist.config.yaml', () => {
  it('parses the shipped example', () => {
    const config = parseHoistConfig(readFileSync('hoist.config.yaml', 'utf8'));
    expect(config.platform.gpuNodeGroups[0]).toMatchObject({ name: 'gpu', amiType: 'AL2023_x86_64_NVIDIA', minSize: 0 });
    expect(config.automation.secrets.gitTokens).toEqual({ github: 'hoist/git/github-token' });
  });

  it('fills every default from an empty file', () => {
    const config = parseHoistConfig('');
    expect(config.name).toBe('hoist');
    expect(config.automation.webhookHosts).toEqual(['github', 'gitlab', 'gitea']);
    expect(config.automation.maxBodyBytes).toBe(1048576);
    expect(config.platform.systemNodeGroup.instanceTypes).toEqual(['m6i.large']);
    expect(config.platform.gpuNodeGroups).toHaveLength(1);
    expect(config.platform.charts.argocd.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('names the exact path of a wrong setting', () => {
    const text = 'platform:\n  gpuNodeGroups:\n    - name: gpu\n      instanceTypes: [m5.large]\n      maxSize: 2\n';
    expect(() => parseHoistConfig(text)).toThrowError(/→ at platform\.gpuNodeGroups\[0\]\.instanceTypes\[0\]/);
    expect(() => parseHoistConfig(text)).toThrowError(/expected an NVIDIA GPU instance type/);
  });

  it('runs the ECR reconcile every 10 minutes over the newest 10 images unless told otherwise, and names a wrong setting', () => {
    expect(parseHoistConfig('').automation.reconcile).toEqual({ enabled: true, everyMinutes: 10, newest: 10 });
    expect(parseHoistConfig('automation:\n  reconcile: { enabled: false }\n').automation.reconcile).toEqual({ enabled: false, everyMinutes: 10, newest: 10 });
    expect(() => parseHoistConfig('automation:\n  reconcile: { everyMinutes: 0 }\n')).toThrowError(/→ at automation\.reconcile\.everyMinutes/);
    expect(() => parseHoistConfig('automation:\n  reconcile: { newest: 2.5 }\n')).toThrowError(/→ at automation\.reconcile\.newest/);
    expect(() => parseHoistConfig('automation:\n  reconcile: { every: 5 }\n')).toThrowError(/Unrecognized key: "every"\n\s+→ at automation\.reconcile/);
  });

  it('checks that sizes are ordered', () => {
    const text = 'platform:\n  systemNodeGroup: { instanceTypes: [m6i.large], minSize: 3, maxSize: 2, desiredSize: 2 }\n';
    expect(() => parseHoistConfig(text)).toThrowError(/minSize <= desiredSize <= maxSize\n\s+→ at platform\.systemNodeGroup/);
  });

  it('refuses unknown keys, so a typo does not silently fall back to a default', () => {
    expect(() => parseHoistConfig('automation:\n  webookHosts: [github]\n')).toThrowError(/Unrecognized key: "webookHosts"\n\s+→ at automation/);
  });

  it('refuses a Kubernetes version the bundled kubectl does not serve', () => {
    expect(() => parseHoistConfig('platform:\n  kubernetesVersion: "1.30"\n')).toThrowError(/only '1.35' is supported/);
  });

  it('reports YAML syntax errors with the file name', () => {
    expect(() => parseHoistConfig('a: [', 'my.yaml')).toThrowError(/^my\.yaml: not valid YAML/);
  });
});

describe('config: secrets the promoter may read', () => {
  it('lists the token secrets of automation and promotion settings, but not the Vault token', () => {
    const config = parseHoistConfig(
      readFileSync('hoist.config.yaml', 'utf8').replace(
        '    slackWebhookUrl: hoist/slack/webhook-url',
        '    slackWebhookUrl: hoist/slack/webhook-url\n    vaultToken: hoist/vault/token',
      ),
    );
    expect(config.automation.secrets.vaultToken).toBe('hoist/vault/token');
    expect(promoterSecretNames(config)).toEqual(['hoist/argocd/token', 'hoist/git/github-token', 'hoist/slack/prod-releases', 'hoist/slack/webhook-url']);
  });

  it("lists the token a trigger source names for reading its repository's commits", () => {
    const config = parseHoistConfig(
      [
        'images:',
        '  - image: ghcr.io/acme/app',
        '    from:',
        '      - { host: github, repository: acme/app, on: ci.succeeded, tag: "sha-{sha:7}", credentials: { secretName: hoist/git/app-reader } }',
        '    targets: [{ repository: gitops, file: apps/app/dev.yaml, environment: dev }]',
      ].join('\n'),
    );
    expect(promoterSecretNames(config)).toContain('hoist/git/app-reader');
  });
});

/** A service chain whose prod names its own Slack webhook, added to the repository's hoist.config.yaml. */
const WITH_SERVICE = `${readFileSync('hoist.config.yaml', 'utf8')}
services:
  - name: worker
    image: "*.dkr.ecr.*.amazonaws.com/team/worker"
    repository: gitops
    file: apps/worker/{environment}/values.yaml
    environments:
      - { name: dev }
      - { name: prod, after: dev, gate: { soak: 5m }, target: { slack: { webhookSecretName: hoist/slack/worker-prod } } }
`;

describe('config: secrets the gates function may read', () => {
  it('lists the Argo CD token, the Git tokens (to read a file at the revision Argo CD runs) and every Slack webhook, but no registry credential', () => {
    expect(gateSecretNames(parseHoistConfig(readFileSync('hoist.config.yaml', 'utf8')))).toEqual([
      'hoist/argocd/token',
      'hoist/git/github-token',
      'hoist/slack/prod-releases',
      'hoist/slack/webhook-url',
    ]);
  });

  it("lists a service environment's own Slack webhook, which the promoter reads too", () => {
    const config = parseHoistConfig(WITH_SERVICE);
    expect(gateSecretNames(config)).toContain('hoist/slack/worker-prod');
    expect(promoterSecretNames(config)).toContain('hoist/slack/worker-prod');
  });

  it('lists nothing when the config names no Argo CD token and no Slack webhook', () => {
    expect(gateSecretNames(parseHoistConfig('platform: { enabled: false }\nautomation: { ecrRepositories: [team/api] }\n'))).toEqual([]);
  });
});

describe('config: the secrets sync', () => {
  it('deploys the commented example section of hoist.config.yaml once it is uncommented', () => {
    const shipped = readFileSync('hoist.config.yaml', 'utf8');
    expect(secretsSyncSettings(parseHoistConfig(shipped))).toBeUndefined();
    const uncommented = shipped.replace(/^# secrets:/m, 'secrets:').replace(/^# {3}/gm, '  ');
    expect(secretsSyncSettings(parseHoistConfig(uncommented))).toMatchObject({ namePrefixes: ['hoist/apps/'], secretNames: [] });
    expect(parsePromotionConfig(uncommented).secrets).toMatchObject({
      vault: { auth: { method: 'aws-iam', role: 'hoist-secrets-sync' } },
      manifests: { operator: 'eso' },
    });
  });

  const SECRETS = 'repositories: [{ name: gitops, provider: github, url: "https://github.com/o/g.git", credentials: { secretName: hoist/git/token } }]\n';
  const section = (lines: string) =>
    `${SECRETS}secrets:\n  vault: { url: "https://vault.example.com", auth: { method: token, tokenSecretName: hoist/vault/token } }\n  manifests: { repository: gitops }\n${lines}`;

  it("refuses a scope that would sync Hoist's own tokens into Vault", () => {
    expect(() => parseHoistConfig(section('  mapping: { namePattern: "hoist/{service}/{environment}" }\n'))).toThrow(
      /the synced secrets \(hoist\/\*\) include Hoist's own credentials hoist\/git\/token, hoist\/vault\/token; keep those outside, or narrow the prefix\n\s+→ at secrets\.mapping\.namePattern/,
    );
    expect(() => parseHoistConfig(`automation:\n  secretsSync: { namePrefixes: [hoist/git/] }\n${section('')}`)).toThrow(
      /include Hoist's own credentials hoist\/git\/token[^\n]*\n\s+→ at automation\.secretsSync\.namePrefixes/,
    );
    expect(() => parseHoistConfig(section('  mapping: { entries: [{ secret: hoist/vault/token, service: vault, environment: prod }] }\n'))).toThrow(
      /hoist\/vault\/token/,
    );
  });

  it('is off without a secrets: section or with enabled: false, which is then not checked further', () => {
    expect(secretsSyncSettings(parseHoistConfig(''))).toBeUndefined();
    expect(secretsSyncSettings(parseHoistConfig('secrets: { enabled: false, vault: 3 }\n'))).toBeUndefined();
  });

  it('takes the name prefix from the name pattern, the entries outside it, the secrets it reads besides, and defaults', () => {
    const settings = secretsSyncSettings(
      parseHoistConfig(
        section(
          '  mapping:\n    namePattern: "team/{service}/{environment}/app"\n    entries: [{ secret: legacy/db, service: legacy, environment: prod }, { secret: team/x/y/app, service: x, environment: y }]\n  slack: { webhookSecretName: hoist/slack/secrets }\nslack: { webhookSecretName: hoist/slack/default }\n',
        ),
      ),
    );
    expect(settings).toEqual({
      namePrefixes: ['team/'],
      secretNames: ['legacy/db'],
      tokenSecretNames: ['hoist/git/token', 'hoist/slack/default', 'hoist/slack/secrets', 'hoist/vault/token'],
      reconcileEveryMinutes: 60,
      kmsKeyArns: [],
      vaultTokenSecretName: 'hoist/vault/token',
    });
    expect(secretsSyncSettings(parseHoistConfig(section('')))?.namePrefixes).toEqual(['hoist/apps/']);
    const custom = parseHoistConfig(`automation:\n  secretsSync: { namePrefixes: [a/, b/], reconcileEveryMinutes: 5 }\n${section('')}`);
    expect(secretsSyncSettings(custom)).toMatchObject({ namePrefixes: ['a/', 'b/'], reconcileEveryMinutes: 5 });
  });

  it('names the path of a wrong setting in the secrets: section and in automation.secretsSync', () => {
    expect(() =>
      parseHoistConfig(`${SECRETS}secrets:\n  vault: { url: "not a url", auth: { method: token, env: VAULT_TOKEN } }\n  manifests: { repository: gitops }\n`),
    ).toThrowError(/→ at secrets\.vault\.url/);
    expect(() => parseHoistConfig(section('  mapping: { namePattern: "{service}/{environment}" }\n'))).toThrowError(
      /starts with a placeholder, which would match every secret.*\n\s+→ at secrets\.mapping\.namePattern/,
    );
    expect(() => parseHoistConfig(section('').replace('repository: gitops', 'repository: nowhere'))).toThrowError(
      /no repository named 'nowhere' in repositories\n\s+→ at secrets\.manifests\.repository/,
    );
    expect(() => parseHoistConfig(`automation:\n  secretsSync: { kmsKeyArns: [alias/aws/secretsmanager] }\n`)).toThrowError(
      /expected a KMS key ARN.*\n\s+→ at automation\.secretsSync\.kmsKeyArns\[0\]/,
    );
    expect(() => parseHoistConfig('automation:\n  secretsSync: { reconcileEveryMinutes: 0 }\n')).toThrowError(
      /→ at automation\.secretsSync\.reconcileEveryMinutes/,
    );
  });
});

describe('config: the Slack actions endpoint', () => {
  const app = (fields: string) =>
    `slack:\n  webhookSecretName: hoist/slack/webhook-url\n  app: { channel: C0123ABCD, approvers: { users: [U0123ABCD] }${fields} }\n`;

  it('is built from the secret names of slack.app, and only when slack.app is there', () => {
    const config = parseHoistConfig(app(', signingSecretName: hoist/slack/signing-secret, botTokenSecretName: hoist/slack/bot-token'));
    expect(slackActionsSettings(config)).toEqual({ signingSecretName: 'hoist/slack/signing-secret', botTokenSecretName: 'hoist/slack/bot-token' });
    expect(slackActionsSettings(parseHoistConfig(readFileSync('hoist.config.yaml', 'utf8')))).toBeUndefined();
    expect(slackActionsSettings(parseHoistConfig(''))).toBeUndefined();
  });

  it('fails synth naming the path when a secret name is missing (the *Env settings are for the dev server) or malformed', () => {
    const local = app(', signingSecretEnv: SLACK_SIGNING_SECRET, botTokenEnv: SLACK_BOT_TOKEN');
    expect(() => parseHoistConfig(local)).toThrow(/reads this from Secrets Manager[^\n]*\n\s+→ at slack\.app\.signingSecretName/);
    expect(() => parseHoistConfig(local)).toThrow(/reads this from Secrets Manager[^\n]*\n\s+→ at slack\.app\.botTokenSecretName/);
    expect(() => parseHoistConfig(app(', signingSecretName: "has space", botTokenSecretName: hoist/slack/bot-token'))).toThrow(
      /not a valid Secrets Manager name\n\s+→ at slack\.app\.signingSecretName/,
    );
  });

  it("keeps the Slack app's secrets out of the secrets sync's scope", () => {
    const text = `${app(', signingSecretName: hoist/apps/slack/signing, botTokenSecretName: hoist/slack/bot-token')}repositories: [{ name: gitops, provider: github, url: "https://github.com/o/g.git" }]\nsecrets:\n  vault: { url: "https://vault.example.com", auth: { method: aws-iam, role: r } }\n  manifests: { repository: gitops }\n`;
    expect(() => parseHoistConfig(text)).toThrow(/include Hoist's own credentials hoist\/apps\/slack\/signing/);
  });
});
