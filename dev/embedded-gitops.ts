import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** The template the embedded GitOps repository starts from. */
const EXAMPLE_APP = resolve(import.meta.dirname, '..', 'gitops-templates', 'example-app');

/**
 * The dev server's own config: one local repository, the example image, its
 * two environments. `repositoryUrl` is relative to the config file's
 * directory, so a copied work directory pushes into its own repository.
 */
export function exampleConfigYaml(repositoryUrl: string): string {
  return `# Written by the dev server on its first start; edit freely.
repositories:
  - name: gitops
    provider: git
    url: ${JSON.stringify(repositoryUrl)}
    baseBranch: main
images:
  - image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api
    service: api
    policy: semver:^1
    targets:
      - repository: gitops
        file: apps/api/dev/values.yaml
        environment: dev
        argocdApplications: [api-dev]
      - repository: gitops
        file: apps/api/prod/values.yaml
        environment: prod
        mode: pull-request
        argocdApplications: [api-prod]
  - image: ghcr.io/octo-org/web
    policy: semver:^1
    targets:
      - repository: gitops
        file: apps/web/dev/values.yaml
        environment: dev
        argocdApplications: [web-dev]
# Secrets Manager into Vault, and the ExternalSecrets that read them. Locally
# a secrets file stands in for Secrets Manager (secrets.json beside this file),
# and the dev server writes to its embedded Vault unless HOIST_VAULT_ADDR is set.
secrets:
  vault:
    url: http://127.0.0.1:8200
    auth: { method: token, env: HOIST_VAULT_TOKEN }
  mapping:
    entries:
      - { secret: legacy/web-session-key, service: web, environment: dev, plainKey: SESSION_KEY }
  manifests:
    repository: gitops
    operator: eso
    # How pods in the cluster reach Vault.
    vaultAddress: http://vault.vault.svc:8200
`;
}

/**
 * Creates, on first start, a bare Git repository seeded with the example app
 * and a config that targets it. Later starts reuse both as they are.
 */
export function ensureEmbeddedGitops(workDir: string): { bareRepo: string; configPath: string; created: boolean } {
  const root = resolve(workDir);
  const bareRepo = join(root, 'gitops.git');
  const configPath = join(root, 'hoist.config.yaml');
  let created = false;
  if (!existsSync(bareRepo)) {
    mkdirSync(root, { recursive: true });
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', args, {
        cwd,
        stdio: 'pipe',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 'Hoist dev',
          GIT_AUTHOR_EMAIL: 'dev@hoist.local',
          GIT_COMMITTER_NAME: 'Hoist dev',
          GIT_COMMITTER_EMAIL: 'dev@hoist.local',
        },
      });
    git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bareRepo);
    const seed = mkdtempSync(join(tmpdir(), 'hoist-seed-'));
    try {
      git(seed, 'init', '--quiet', '--initial-branch=main');
      cpSync(EXAMPLE_APP, seed, { recursive: true });
      git(seed, 'add', '-A');
      git(seed, 'commit', '--quiet', '-m', 'example app');
      git(seed, 'push', '--quiet', bareRepo, 'main');
    } finally {
      rmSync(seed, { recursive: true, force: true });
    }
    created = true;
  }
  if (!existsSync(configPath)) writeFileSync(configPath, exampleConfigYaml(`./${relative(root, bareRepo)}`));
  return { bareRepo, configPath, created };
}
