import { Application, ApplicationSet, AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import type { YamlDocument } from '../../lambdas/core/secrets/secret-manifests';
import { GPU_TOLERATIONS, NVIDIA_DEVICE_PLUGIN_CHART } from './gpu-scheduling';
import { allServicesOf, namespaceOf, type ScaffoldOptions } from './scaffold-options';

/** Where Argo CD runs and where its Applications live. */
const ARGOCD_NAMESPACE = 'argocd';
const IN_CLUSTER = 'https://kubernetes.default.svc';
/** The folder the root Application syncs: every Argo CD object but itself. */
export const APPS_DIR = 'argocd/apps';
/** The shared chart every service deploys with. */
export const CHART_DIR = 'charts/service';
/** The platform manifests (secret stores) the platform Application syncs. */
export const PLATFORM_DIR = 'platform';

const labels = { 'app.kubernetes.io/managed-by': 'hoist-scaffold' } as const;

/**
 * The root Application ("app of apps"): applied once by hand, it syncs
 * argocd/apps, so every later Argo CD object arrives through Git.
 */
export function rootApplication(options: ScaffoldOptions): YamlDocument {
  return {
    comment: [
      'The root Application (app of apps). Apply it once:',
      `  kubectl apply -n ${ARGOCD_NAMESPACE} -f argocd/root.yaml`,
      `From then on Argo CD syncs ${APPS_DIR}/: the AppProject, the ApplicationSet of the services`,
      'and the platform Applications. Change those files, not the cluster.',
    ],
    value: repositoryFolderApplication('root', APPS_DIR, options),
  };
}

/** An Application in the default project that syncs one folder of this repository, automated with prune and self-heal. */
function repositoryFolderApplication(name: string, path: string, options: ScaffoldOptions): unknown {
  return new Application({
    metadata: { name, namespace: ARGOCD_NAMESPACE, labels: { ...labels } },
    spec: {
      project: 'default',
      source: { repoURL: options.repoUrl, targetRevision: options.baseBranch, path },
      destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  }).toJSON();
}

/**
 * The AppProject of the services: only this repository as a source, only
 * the services' own namespaces as destinations, and of the cluster-wide
 * kinds only the Namespace that CreateNamespace makes.
 */
export function servicesProject(options: ScaffoldOptions): YamlDocument {
  const destinations = allServicesOf(options).flatMap((service) =>
    options.environments.map((environment) => ({ server: IN_CLUSTER, namespace: namespaceOf(service, environment) })),
  );
  const project = new AppProject({
    metadata: { name: options.project, namespace: ARGOCD_NAMESPACE, labels: { ...labels } },
    spec: {
      description: `The services of ${options.repoUrl}, one namespace per service and environment`,
      sourceRepos: [options.repoUrl],
      destinations,
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
    },
  });
  return {
    comment: [
      `AppProject ${options.project}: what the services' Applications may deploy, and where.`,
      'A new service or environment needs its namespace listed here (hoist scaffold adds it).',
    ],
    value: project.toJSON(),
  };
}

/**
 * One ApplicationSet over services × environments (list generator): each
 * element makes the Application `{service}-{environment}`, the name Hoist
 * refreshes after a promotion. The chart renders with the service's values
 * and then its environment's; with secrets, a second source syncs the
 * secrets manifest the secrets sync keeps beside the values.
 */
export function servicesApplicationSet(options: ScaffoldOptions): YamlDocument {
  const elements = allServicesOf(options).flatMap((service) =>
    options.environments.map((environment) => ({
      service,
      environment,
      namespace: namespaceOf(service, environment),
      autoSync: !options.manualSync.includes(environment),
    })),
  );
  const chartSource = {
    repoURL: options.repoUrl,
    targetRevision: options.baseBranch,
    path: CHART_DIR,
    helm: {
      releaseName: '{{.service}}',
      valueFiles: ['../../apps/{{.service}}/values.yaml', '../../apps/{{.service}}/{{.environment}}/values.yaml'],
    },
  };
  const secretsSource = {
    repoURL: options.repoUrl,
    targetRevision: options.baseBranch,
    path: 'apps/{{.service}}/{{.environment}}',
    directory: { include: 'secrets.yaml' },
  };
  const appSet = new ApplicationSet({
    metadata: { name: 'services', namespace: ARGOCD_NAMESPACE, labels: { ...labels } },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements } }],
      template: {
        metadata: {
          name: '{{.service}}-{{.environment}}',
          labels: { 'hoist.io/service': '{{.service}}', 'hoist.io/environment': '{{.environment}}' },
        },
        spec: {
          project: options.project,
          ...(options.secrets ? { sources: [chartSource, secretsSource] } : { source: chartSource }),
          destination: { server: IN_CLUSTER, namespace: '{{.namespace}}' },
          syncPolicy: { syncOptions: ['CreateNamespace=true'] },
        },
      },
      // Automated sync only where the element asks for it (templatePatch: Argo CD 2.10 and later).
      templatePatch: ['{{- if .autoSync }}', 'spec:', '  syncPolicy:', '    automated:', '      prune: true', '      selfHeal: true', '{{- end }}', ''].join(
        '\n',
      ),
    },
  });
  const manual =
    options.manualSync.length > 0
      ? `${options.manualSync.join(', ')} ${options.manualSync.length > 1 ? 'wait' : 'waits'} for someone to press Sync`
      : 'every environment syncs by itself';
  return {
    comment: [
      'One Application per service and environment, named {service}-{environment}.',
      'Add a service or an environment by adding its element (and its values file).',
      `Automated sync with prune and self-heal where autoSync is true: ${manual}.`,
      'templatePatch needs Argo CD 2.10 or later.',
    ],
    value: appSet.toJSON(),
  };
}

/** The Application of the platform manifests: the secret stores every service's secrets manifest refers to. */
export function platformApplication(options: ScaffoldOptions): YamlDocument {
  return {
    comment: [`Platform manifests from ${PLATFORM_DIR}/ (the secret stores). They are cluster-wide, so this Application is in the default project.`],
    value: repositoryFolderApplication('platform', PLATFORM_DIR, options),
  };
}

/**
 * NVIDIA's device plugin, for a cluster whose GPU nodes do not run it (Hoist's
 * own cluster installs it with the platform stack): without it no node
 * advertises `nvidia.com/gpu` and GPU pods stay Pending. On such a cluster
 * nothing sets the label the GPU workload selects, so GPU Feature Discovery
 * comes with it: it labels each GPU node `nvidia.com/gpu.present=true`. The
 * chart's own affinity finds the GPU nodes (by the PCI vendor label Node
 * Feature Discovery sets); NFD's worker is given a toleration for the GPU
 * taint, which its chart default does not tolerate in the form Hoist uses.
 */
export function devicePluginApplication(): YamlDocument {
  const gpuTaint = { key: GPU_TOLERATIONS[0].key, operator: 'Exists', effect: GPU_TOLERATIONS[0].effect };
  const app = new Application({
    metadata: { name: 'nvidia-device-plugin', namespace: ARGOCD_NAMESPACE, labels: { ...labels } },
    spec: {
      project: 'default',
      source: {
        repoURL: NVIDIA_DEVICE_PLUGIN_CHART.repoURL,
        chart: NVIDIA_DEVICE_PLUGIN_CHART.chart,
        targetRevision: NVIDIA_DEVICE_PLUGIN_CHART.version,
        helm: {
          valuesObject: {
            gfd: { enabled: true },
            nfd: { worker: { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }, gpuTaint] } },
          },
        },
      },
      destination: { server: IN_CLUSTER, namespace: NVIDIA_DEVICE_PLUGIN_CHART.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    },
  });
  return {
    comment: [
      "NVIDIA's device plugin, for a cluster that is not Hoist's own (Hoist's platform stack installs it).",
      'GPU Feature Discovery labels the GPU nodes nvidia.com/gpu.present=true, the label the GPU workload',
      'selects; the workload also tolerates the taint nvidia.com/gpu=true:NoSchedule where the nodes carry it.',
    ],
    value: app.toJSON(),
  };
}
