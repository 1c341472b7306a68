import type { YamlDocument } from '../../lambdas/core/secrets/secret-manifests';
import { GPU_NODE_SELECTOR, GPU_TOLERATIONS } from './gpu-scheduling';
import { namespaceOf, type ScaffoldOptions } from './scaffold-options';

/** The image a service runs, as hoist.config.yaml and the values file both name it, and the tag it starts at. */
export interface ServiceImage {
  readonly repository: string;
  readonly tag: string;
}

/** Public images of the GPU services, pinned; Hoist moves them like any other. */
const GPU_IMAGES: Readonly<Record<string, ServiceImage>> = {
  ollama: { repository: 'docker.io/ollama/ollama', tag: '0.12.6' },
  'open-webui': { repository: 'ghcr.io/open-webui/open-webui', tag: 'v0.6.34' },
};

/** The first tag a scaffolded service of one's own starts at; the first image Hoist promotes replaces it. */
export const INITIAL_TAG = '0.1.0';

export function imageOf(service: string, options: ScaffoldOptions): ServiceImage {
  return GPU_IMAGES[service] ?? { repository: `${options.registry}/${service}`, tag: INITIAL_TAG };
}

/** The name of the Kubernetes Secret the secrets sync fills for a service (its manifests.secretName default). */
export const secretNameOf = (service: string): string => `${service}-config`;

/**
 * apps/<service>/values.yaml: what a service is, whatever the environment.
 * The shared chart (charts/service/values.yaml) has the defaults.
 */
export function serviceValues(service: string, options: ScaffoldOptions): YamlDocument {
  const common = {
    ...(options.rollouts ? { rollout: { enabled: true } } : {}),
    ...(options.keda ? { keda: { enabled: true } } : {}),
    ...(options.secrets ? { secretName: secretNameOf(service) } : {}),
  };
  if (service === 'ollama')
    return {
      comment: [
        'ollama: an LLM inference server on the GPU nodes. Defaults: charts/service/values.yaml.',
        'It tolerates the GPU taint and selects the GPU label of the node groups Hoist creates,',
        'asks for one GPU, and keeps pulled models on a volume across restarts.',
      ],
      value: {
        port: 11434,
        readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10 },
        livenessProbe: { httpGet: { path: '/', port: 'http' }, initialDelaySeconds: 30, periodSeconds: 30 },
        resources: { requests: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': 1 }, limits: { memory: '16Gi', 'nvidia.com/gpu': 1 } },
        nodeSelector: { ...GPU_NODE_SELECTOR },
        tolerations: GPU_TOLERATIONS.map((t) => ({ ...t })),
        // One pod owns the ReadWriteOnce model volume: the old pod goes before the new one starts.
        strategy: { type: 'Recreate' },
        persistence: { enabled: true, size: '50Gi', mountPath: '/root/.ollama' },
        env: [{ name: 'OLLAMA_KEEP_ALIVE', value: '24h' }],
        ...(options.secrets ? { secretName: secretNameOf(service) } : {}),
      },
    };
  if (service === 'open-webui')
    return {
      comment: ['open-webui: the web UI of the ollama server. Defaults: charts/service/values.yaml.'],
      value: {
        port: 8080,
        readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 10 },
        livenessProbe: { httpGet: { path: '/health', port: 'http' }, initialDelaySeconds: 30, periodSeconds: 30 },
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
        // One pod owns the ReadWriteOnce data volume: no canary, no second replica.
        persistence: { enabled: true, size: '5Gi', mountPath: '/app/backend/data' },
        strategy: { type: 'Recreate' },
        ...(options.secrets ? { secretName: secretNameOf(service) } : {}),
      },
    };
  return {
    comment: [`${service}: what it is in every environment. Defaults: charts/service/values.yaml.`],
    value: {
      port: 8080,
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 20 },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      ...common,
    },
  };
}

/**
 * apps/<service>/<environment>/values.yaml: the image Hoist moves, and what
 * differs per environment. The last environment runs more replicas.
 */
export function environmentValues(service: string, environment: string, options: ScaffoldOptions): YamlDocument {
  const image = imageOf(service, options);
  const last = environment === options.environments.at(-1);
  const single = service === 'ollama' || service === 'open-webui';
  const scaling = single
    ? { replicaCount: 1 }
    : options.keda
      ? { keda: { minReplicaCount: last ? 2 : 1, maxReplicaCount: last ? 10 : 3 } }
      : last
        ? { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 10 } }
        : { replicaCount: 1 };
  const webUi =
    service === 'open-webui' ? { env: [{ name: 'OLLAMA_BASE_URL', value: `http://ollama.${namespaceOf('ollama', environment)}.svc.cluster.local` }] } : {};
  return {
    comment: [
      `${service} in ${environment} (namespace ${namespaceOf(service, environment)}).`,
      `Hoist sets image.tag here when it promotes ${image.repository}; edit anything else freely.`,
    ],
    value: { image: { repository: image.repository, tag: image.tag }, ...scaling, ...webUi },
  };
}
