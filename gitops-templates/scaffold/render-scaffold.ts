import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { renderSecretStores, writeYaml } from '../../lambdas/core/secrets/secret-manifests';
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
import { allServicesOf, namespaceOf, type ScaffoldOptions } from './scaffold-options';
import { environmentValues, serviceValues } from './service-values';

/** The shared chart, copied as it is: Helm templates are Helm's own language, not rendered here. */
const CHART_SOURCE = resolve(import.meta.dirname, '..', 'charts', 'service');

/**
 * One file of the scaffold: its path in the repository, its content, and
 * whose it is once written. `scaffold` files are the scaffold's to rewrite
 * (with consent); `seed` files are written once and then belong to the
 * repository: Hoist bumps tags in values files and the secrets sync edits
 * its files, so a later run never overwrites them.
 */
export interface ScaffoldFile {
  readonly path: string;
  readonly content: string;
  readonly owner: 'scaffold' | 'seed';
}

/** The store file of the secrets sync (its `manifests.storesFile` default). */
const STORES_FILE = `${PLATFORM_DIR}/secret-stores.yaml`;

/**
 * Every file of a GitOps repository for these answers, in a stable order:
 * the same answers give the same bytes. Manifests are typed objects written
 * with the yaml library; the chart is copied from gitops-templates/charts.
 */
export function renderScaffold(options: ScaffoldOptions): ScaffoldFile[] {
  const services = allServicesOf(options);
  const config = scaffoldConfig(options);
  const scaffold = (path: string, content: string): ScaffoldFile => ({ path, content, owner: 'scaffold' });
  const seed = (path: string, content: string): ScaffoldFile => ({ path, content, owner: 'seed' });
  const files: ScaffoldFile[] = [
    scaffold('README.md', repositoryReadme(options)),
    scaffold('hoist.config.yaml', writeYaml([config.document])),
    scaffold('argocd/root.yaml', writeYaml([rootApplication(options)])),
    scaffold(`${APPS_DIR}/project.yaml`, writeYaml([servicesProject(options)])),
    scaffold(`${APPS_DIR}/services.yaml`, writeYaml([servicesApplicationSet(options)])),
  ];
  if (options.secrets) files.push(scaffold(`${APPS_DIR}/platform.yaml`, writeYaml([platformApplication(options)])));
  if (options.devicePlugin) files.push(scaffold(`${APPS_DIR}/nvidia-device-plugin.yaml`, writeYaml([devicePluginApplication()])));
  files.push(...chartFiles().map(({ path, content }) => scaffold(path, content)));
  for (const service of services) {
    files.push(seed(`apps/${service}/values.yaml`, writeYaml([serviceValues(service, options)])));
    for (const environment of options.environments)
      files.push(seed(`apps/${service}/${environment}/values.yaml`, writeYaml([environmentValues(service, environment, options)])));
  }
  if (options.secrets) {
    // The stores only. Each service's ExternalSecret or VaultStaticSecret is written by the secrets sync when
    // its first secret arrives: one that reads a Vault path that does not exist yet is Degraded in Argo CD,
    // which would hold every gate after the first environment.
    const { secrets } = config.parsed;
    if (secrets === undefined) throw new Error('the scaffold config has no secrets section');
    const namespaces = services.flatMap((service) => options.environments.map((environment) => namespaceOf(service, environment)));
    files.push(seed(STORES_FILE, renderSecretStores(secrets, namespaces)));
  }
  return files;
}

/**
 * Of the files already in a repository, those the scaffold writes for other
 * answers and not for these (`rendered`, what it writes for these): a service or an environment no longer named,
 * secrets or the device plugin no longer asked for. They are reported, never
 * deleted. Anything else (a person's own files) is not the scaffold's business.
 */
export function staleFiles(options: ScaffoldOptions, existing: readonly string[], rendered: readonly ScaffoldFile[]): string[] {
  const services = new Set(allServicesOf(options));
  const environments = new Set(options.environments);
  const written = new Set(rendered.map((f) => f.path));
  return existing.filter((path) => {
    if (written.has(path)) return false;
    if (path === `${APPS_DIR}/platform.yaml` || path === `${APPS_DIR}/nvidia-device-plugin.yaml` || path === STORES_FILE) return true;
    const serviceFile = /^apps\/([^/]+)\/values\.yaml$/.exec(path);
    if (serviceFile) return !services.has(serviceFile[1] as string);
    const environmentFile = /^apps\/([^/]+)\/([^/]+)\/(values|secrets)\.yaml$/.exec(path);
    if (!environmentFile) return false;
    const [, service, environment, kind] = environmentFile;
    return !services.has(service as string) || !environments.has(environment as string) || (kind === 'secrets' && !options.secrets);
  });
}

function chartFiles(): Array<{ path: string; content: string }> {
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
    `Services ${services.join(', ')} in environments ${options.environments.join(' -> ')}, deployed by Argo CD (2.10 or later) and promoted by Hoist.`,
    '',
    '- `argocd/root.yaml`: the root Application; apply it once (`kubectl apply -n argocd -f argocd/root.yaml`).',
    `- \`${APPS_DIR}/\`: what the root Application syncs: the AppProject \`${options.project}\`, the ApplicationSet \`services\` (one Application per service and environment, named \`{service}-{environment}\`, in namespace \`{service}-{environment}\`)${options.secrets ? ', the platform Application' : ''}${options.devicePlugin ? ", NVIDIA's device plugin" : ''}.`,
    `- \`${CHART_DIR}/\`: the Helm chart every service deploys with: a Deployment${options.rollouts ? ' or an Argo Rollouts canary (20% -> 50% -> 100%)' : ''}, a Service, an HPA${options.keda ? ' or a KEDA ScaledObject' : ''} where enabled.`,
    '- `apps/<service>/values.yaml`: the service in every environment; `apps/<service>/<environment>/values.yaml`: the image and what differs per environment.',
    ...(options.secrets
      ? [
          `- \`${STORES_FILE}\`: ${options.secrets === 'eso' ? 'the ClusterSecretStores' : 'the VaultConnection and VaultAuth'} the secrets manifests use. Hoist's secrets sync writes \`apps/<service>/<environment>/secrets.yaml\` (${options.secrets === 'eso' ? 'an ExternalSecret' : 'a VaultStaticSecret'}) when the first secret of that service and environment arrives; the pods read its Secret \`<service>-config\` as environment variables.`,
        ]
      : []),
    ...(options.gpu ? ['- `apps/ollama/`: the LLM inference server on the GPU nodes (one GPU, a model volume); `apps/open-webui/`: its web UI.'] : []),
    '- `hoist.config.yaml`: the Hoist config that promotes into this repository.',
    '',
    `Hoist sets \`image.tag\` in \`apps/${service}/${environment}/values.yaml\` when a new image of ${service} arrives${options.environments.length > 1 ? ', and the next environment follows when it is healthy' : ''}.`,
    "The values files are yours and Hoist's once written: `hoist scaffold` never rewrites them.",
    '',
  ];
  return lines.join('\n');
}
