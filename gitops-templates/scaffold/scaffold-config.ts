import { type PromotionConfig, PromotionConfigSchema } from '../../lambdas/core/config/promotion-config';
import type { YamlDocument } from '../../lambdas/core/secrets/secret-manifests';
import { allServicesOf, providerOfUrl, type ScaffoldOptions } from './scaffold-options';
import { imageOf } from './service-values';

/** The repository name the config gives the GitOps repository. */
const REPOSITORY = 'gitops';
/** Where each environment's values file is, as the services chain names it. */
export const VALUES_FILE = 'apps/{service}/{environment}/values.yaml';

/**
 * The hoist.config.yaml that promotes into the scaffolded repository: one
 * service chain per service (environments in order, each after the one
 * before once it is healthy in Argo CD, the last one through a PR/MR), and
 * with secrets, the secrets sync writing into the same repository. Checked
 * against Hoist's own config schema before it is written.
 */
export function scaffoldConfig(options: ScaffoldOptions): { readonly document: YamlDocument; readonly parsed: PromotionConfig } {
  const provider = options.provider ?? providerOfUrl(options.repoUrl) ?? 'git';
  const [first, ...later] = options.environments;
  const environments = [
    { name: first },
    ...later.map((name, i) => ({
      name,
      after: options.environments[i],
      gate: { healthy: true, soak: name === options.environments.at(-1) ? '10m' : '5m' },
      ...(name === options.environments.at(-1) && options.environments.length > 1 ? { mode: 'pull-request' } : {}),
    })),
  ];
  const config = {
    repositories: [
      {
        name: REPOSITORY,
        provider,
        url: options.repoUrl,
        baseBranch: options.baseBranch,
        ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
        ...(provider === 'git' ? {} : { credentials: { secretName: `hoist/git/${provider}-token`, env: 'HOIST_GIT_TOKEN' } }),
      },
    ],
    services: allServicesOf(options).map((service) => ({
      name: service,
      image: imageOf(service, options).repository,
      policy: 'semver:*',
      repository: REPOSITORY,
      file: VALUES_FILE,
      // A copy each: one shared object would be written as a YAML anchor and aliases.
      environments: structuredClone(environments),
    })),
    ...(options.secrets
      ? {
          secrets: {
            vault: { url: 'https://vault.example.com:8200', auth: { method: 'aws-iam', role: 'hoist-secrets-sync' } },
            manifests: { repository: REPOSITORY, operator: options.secrets, vaultAddress: 'http://vault.vault.svc:8200' },
          },
        }
      : {}),
  };
  // A scaffold that Hoist would refuse is a bug here, not the user's: fail before anything is written.
  const parsed = PromotionConfigSchema.parse(config);
  const comment = [
    'Hoist config for this GitOps repository, written by `hoist scaffold`.',
    ...(later.length > 0
      ? [
          `Each service's environments follow one another (${options.environments.join(' -> ')}): a new image goes`,
          `to ${first} at once; each later environment follows when the one before is Synced and Healthy in`,
          'Argo CD for the soak time (argocd: in this file, or HOIST_ARGOCD_URL for the dev server).',
          `${options.environments.at(-1)} gets a pull/merge request instead of a commit.`,
        ]
      : [`A new image goes to ${first} at once, as a commit.`]),
    `Image tags are bumped at image.tag in ${VALUES_FILE}.`,
    ...(options.secrets ? ['secrets: set vault.url and vault.auth to your Vault before deploying.'] : []),
    provider === 'git'
      ? 'Locally (npm start) the repository is the git URL below.'
      : `The token comes from Secrets Manager (${provider}-token) when deployed, HOIST_GIT_TOKEN locally.`,
  ];
  return { document: { comment, value: config }, parsed };
}
