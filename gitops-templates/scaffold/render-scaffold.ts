import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PromotionConfigSchema } from '../../lambdas/core/config/promotion-config';
import { fillTemplate, mapSecret } from '../../lambdas/core/secrets/map-secret';
import { renderSecretManifest, renderSecretStores, writeYaml } from '../../lambdas/core/secrets/secret-manifests';
import type { SecretSyncConfig } from '../../lambdas/core/secrets/secret-sync-config';
import {
  APPS_DIR,
  CHART_DIR,
  devicePluginApplication,
  PLATFORM_DIR,
  platformApplication,
  rootApplication,
  servicesApplicationSet,
  servicesProject,
} from './argocd-manifests';
import { scaffoldConfig } from './scaffold-config';
import { allServicesOf, type ScaffoldOptions } from './scaffold-options';
import { environmentValues, serviceValues } from './service-values';

/** The shared chart, copied as it is: Helm templates are Helm's own language, not rendered here. */
const CHART_SOURCE = resolve(import.meta.dirname, '..', 'charts', 'service');

/** One file of the scaffold: its path in the repository and its content. */
export interface ScaffoldFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Every file of a GitOps repository for these answers, in a stable order:
 * the same answers give the same bytes. Manifests are typed objects written
 * with the yaml library; the chart is copied from gitops-templates/charts.
 */
export function renderScaffold(options: ScaffoldOptions): ScaffoldFile[] {
  const services = allServicesOf(options);
  const config = scaffoldConfig(options);
  const files: ScaffoldFile[] = [
    { path: 'README.md', content: repositoryReadme(options) },
    { path: 'hoist.config.yaml', content: writeYaml([config]) },
    { path: 'argocd/root.yaml', content: writeYaml([rootApplication(options)]) },
    { path: `${APPS_DIR}/project.yaml`, content: writeYaml([servicesProject(options)]) },
    { path: `${APPS_DIR}/services.yaml`, content: writeYaml([servicesApplicationSet(options)]) },
  ];
  if (options.secrets) files.push({ path: `${APPS_DIR}/platform.yaml`, content: writeYaml([platformApplication(options)]) });
  if (options.devicePlugin) files.push({ path: `${APPS_DIR}/nvidia-device-plugin.yaml`, content: writeYaml([devicePluginApplication()]) });
  files.push(...chartFiles());
  for (const service of services) {
    files.push({ path: `apps/${service}/values.yaml`, content: writeYaml([serviceValues(service, options)]) });
    for (const environment of options.environments)
      files.push({ path: `apps/${service}/${environment}/values.yaml`, content: writeYaml([environmentValues(service, environment, options)]) });
  }
  if (options.secrets) {
    const secrets = PromotionConfigSchema.parse(config.value).secrets as SecretSyncConfig;
    files.push(...secretFiles(secrets, services, options.environments));
  }
  return files;
}

/**
 * The secrets manifests exactly where and as the secrets sync writes them,
 * with no key yet: the sync adds each key when its secret arrives.
 */
function secretFiles(config: SecretSyncConfig, services: readonly string[], environments: readonly string[]): ScaffoldFile[] {
  const files: ScaffoldFile[] = [];
  const namespaces: string[] = [];
  for (const service of services)
    for (const environment of environments) {
      const secretName = fillTemplate(config.mapping.namePattern, { service, environment });
      const mapped = mapSecret(config, { name: secretName });
      if (mapped.kind !== 'mapped') throw new Error(`the secrets sync would not map ${secretName}: ${mapped.reason}`);
      const namespace = fillTemplate(config.manifests.namespace, { service, environment });
      namespaces.push(namespace);
      files.push({
        path: fillTemplate(config.manifests.file, { service, environment }),
        content: renderSecretManifest(config, {
          service,
          environment,
          namespace,
          name: fillTemplate(config.manifests.secretName, { service, environment }),
          secretName,
          vault: mapped.target.vault,
          keys: [],
        }),
      });
    }
  files.push({ path: config.manifests.storesFile, content: renderSecretStores(config, namespaces) });
  return files;
}

function chartFiles(): ScaffoldFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
  return walk(CHART_SOURCE).map((file) => ({
    path: `${CHART_DIR}/${relative(CHART_SOURCE, file).split('\\').join('/')}`,
    content: readFileSync(file, 'utf8'),
  }));
}

function repositoryReadme(options: ScaffoldOptions): string {
  const services = allServicesOf(options);
  const [service = 'api'] = services;
  const [environment = 'dev'] = options.environments;
  const lines = [
    '# GitOps repository',
    '',
    `Services ${services.join(', ')} in environments ${options.environments.join(' -> ')}, deployed by Argo CD and promoted by Hoist.`,
    '',
    '- `argocd/root.yaml`: the root Application; apply it once (`kubectl apply -n argocd -f argocd/root.yaml`).',
    `- \`${APPS_DIR}/\`: what the root Application syncs: the AppProject \`${options.project}\`, the ApplicationSet \`services\` (one Application per service and environment, named \`{service}-{environment}\`, in namespace \`{service}-{environment}\`)${options.secrets ? ', the platform Application' : ''}${options.devicePlugin ? ", NVIDIA's device plugin" : ''}.`,
    `- \`${CHART_DIR}/\`: the Helm chart every service deploys with: ${options.rollouts ? 'an Argo Rollouts canary (20% -> 50% -> 100%)' : 'a Deployment'}, a Service, ${options.keda ? 'a KEDA ScaledObject' : 'an HPA where enabled'}.`,
    '- `apps/<service>/values.yaml`: the service in every environment; `apps/<service>/<environment>/values.yaml`: the image and what differs per environment.',
    ...(options.secrets
      ? [
          `- \`apps/<service>/<environment>/secrets.yaml\` and \`${PLATFORM_DIR}/secret-stores.yaml\`: ${options.secrets === 'eso' ? 'ExternalSecrets and their stores' : 'VaultStaticSecrets and their VaultAuth'}; Hoist's secrets sync adds each key as its secret arrives.`,
        ]
      : []),
    ...(options.gpu ? ['- `apps/ollama/`: the LLM inference server on the GPU nodes (one GPU, a model volume); `apps/open-webui/`: its web UI.'] : []),
    '- `hoist.config.yaml`: the Hoist config that promotes into this repository.',
    '',
    `Hoist sets \`image.tag\` in \`apps/${service}/${environment}/values.yaml\` when a new image of ${service} arrives, and the next environment follows when it is healthy.`,
    '',
  ];
  return lines.join('\n');
}
