import { resolve } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { GPU_NODE_SELECTOR, GPU_TOLERATIONS, NVIDIA_DEVICE_PLUGIN_CHART } from '../../gitops-templates/scaffold/gpu-scheduling';
import { renderScaffold, type ScaffoldFile } from '../../gitops-templates/scaffold/render-scaffold';
import { type ScaffoldInput, ScaffoldOptionsSchema } from '../../gitops-templates/scaffold/scaffold-options';
import { parsePromotionConfig } from '../../lambdas/core/config/parse-promotion-config';
import { fillTemplate, mapSecret } from '../../lambdas/core/secrets/map-secret';
import { renderSecretManifest } from '../../lambdas/core/secrets/secret-manifests';
import { manifestPathOf } from '../../lambdas/core/secrets/write-secret-manifests';
import { synthApp } from '../lib/support';
import { renderHelmChart } from '../support/render-helm-chart';
import { kindOf, validateManifest } from './validate-manifest';

/*
 * Every manifest `hoist scaffold` writes, and every manifest the shared chart
 * renders for each service and environment (through the Helm stand-in in
 * test/support/render-helm-chart.ts), validated against the Kubernetes and
 * CRD schemas (validate-manifest.ts).
 */

const CHART = resolve('gitops-templates/charts/service');

const ANSWERS: Record<string, ScaffoldInput> = {
  plain: { services: ['api', 'worker'], environments: ['dev', 'staging', 'prod'] },
  everything: {
    services: ['api', 'worker', 'web', 'billing', 'search'],
    environments: ['dev', 'staging', 'prod'],
    gpu: 'ollama',
    devicePlugin: true,
    secrets: 'eso',
    rollouts: true,
    keda: true,
    manualSync: ['prod'],
  },
  vso: { services: ['api'], environments: ['dev', 'prod'], secrets: 'vso', rollouts: true, gpu: 'ollama' },
};

const scaffold = (answers: ScaffoldInput) => renderScaffold(ScaffoldOptionsSchema.parse(answers));
const fileOf = (files: readonly ScaffoldFile[], path: string): string => {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the scaffold`);
  return file.content;
};
const documentsOf = (text: string, where: string): Array<Record<string, unknown>> =>
  parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`${where}: ${document.errors[0]?.message}`);
    return document.toJS() as Record<string, unknown>;
  });

/** What Argo CD would deploy for one Application of the ApplicationSet: the chart with the service's and the environment's values. */
function renderedWorkloads(files: readonly ScaffoldFile[], service: string, environment: string) {
  return renderHelmChart(CHART, [fileOf(files, `apps/${service}/values.yaml`), fileOf(files, `apps/${service}/${environment}/values.yaml`)], {
    name: service,
    namespace: `${service}-${environment}`,
  }).documents;
}

describe('hoist scaffold: manifests', () => {
  for (const [name, answers] of Object.entries(ANSWERS)) {
    it(`${name}: every manifest it writes is valid for its kind`, () => {
      const files = scaffold(answers);
      const manifests = files.filter(
        (f) => f.path.endsWith('.yaml') && !f.path.startsWith('charts/') && !f.path.endsWith('values.yaml') && f.path !== 'hoist.config.yaml',
      );
      const kinds = new Set<string>();
      for (const file of manifests)
        for (const manifest of documentsOf(file.content, file.path)) {
          validateManifest(manifest, file.path);
          kinds.add(kindOf(manifest));
        }
      expect(kinds).toContain('argoproj.io/v1alpha1/ApplicationSet');
      expect(kinds).toContain('argoproj.io/v1alpha1/AppProject');
      if (answers.secrets === 'eso') expect(kinds).toContain('external-secrets.io/v1/ClusterSecretStore');
      if (answers.secrets === 'vso') expect(kinds).toContain('secrets.hashicorp.com/v1beta1/VaultAuth');
    });

    it(`${name}: the chart renders valid manifests for every service and environment`, () => {
      const options = ScaffoldOptionsSchema.parse(answers);
      const files = renderScaffold(options);
      const kinds = new Set<string>();
      for (const service of [...options.services, ...(options.gpu ? ['ollama', 'open-webui'] : [])])
        for (const environment of options.environments)
          for (const manifest of renderedWorkloads(files, service, environment)) {
            validateManifest(manifest, `${service}/${environment}`);
            kinds.add(kindOf(manifest));
          }
      expect(kinds).toContain('v1/Service');
      expect(kinds).toContain(options.rollouts ? 'argoproj.io/v1alpha1/Rollout' : 'apps/v1/Deployment');
      if (options.keda) expect(kinds).toContain('keda.sh/v1alpha1/ScaledObject');
      else expect(kinds).toContain('autoscaling/v2/HorizontalPodAutoscaler');
    });
  }

  it('the validation catches a broken template: a string where Kubernetes wants a number', () => {
    const files = scaffold(ANSWERS.plain as ScaffoldInput);
    const broken = `${fileOf(files, 'apps/api/dev/values.yaml')}port: http\n`;
    const [workload] = renderHelmChart(CHART, [fileOf(files, 'apps/api/values.yaml'), broken], { name: 'api', namespace: 'api-dev' }).documents.filter(
      (m) => m.kind === 'Deployment',
    );
    expect(() => validateManifest(workload as Record<string, unknown>, 'api/dev')).toThrow(/containerPort must be integer/);
  });

  it('renders one Application per service and environment, named as Hoist refreshes them, synced automatically except where asked', () => {
    const files = scaffold(ANSWERS.everything as ScaffoldInput);
    const [appSet] = documentsOf(fileOf(files, 'argocd/apps/services.yaml'), 'services.yaml') as Array<Record<string, any>>;
    const elements = appSet?.spec.generators[0].list.elements as Array<Record<string, unknown>>;
    expect(elements).toHaveLength(7 * 3);
    expect(elements).toContainEqual({ service: 'api', environment: 'prod', namespace: 'api-prod', autoSync: false });
    expect(elements).toContainEqual({ service: 'ollama', environment: 'dev', namespace: 'ollama-dev', autoSync: true });
    expect(appSet?.spec.template.metadata.name).toBe('{{.service}}-{{.environment}}');
    expect(appSet?.spec.templatePatch).toContain('automated:');
    const config = parsePromotionConfig(fileOf(files, 'hoist.config.yaml'));
    const api = config.images.find((image) => image.service === 'api');
    // The config's default Argo CD applications are {service}-{environment}: the names the ApplicationSet gives.
    expect(api?.targets.map((t) => t.argocdApplications)).toEqual([['api-dev'], ['api-staging'], ['api-prod']]);
    const [project] = documentsOf(fileOf(files, 'argocd/apps/project.yaml'), 'project.yaml') as Array<Record<string, any>>;
    expect(project?.spec.destinations).toHaveLength(21);
    expect(project?.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
  });

  it("writes a hoist.config.yaml that points each environment at the values file where the image's tag is", () => {
    const files = scaffold(ANSWERS.everything as ScaffoldInput);
    const config = parsePromotionConfig(fileOf(files, 'hoist.config.yaml'));
    expect(config.images.map((image) => image.service)).toEqual(['api', 'worker', 'web', 'billing', 'search', 'ollama', 'open-webui']);
    for (const image of config.images)
      for (const target of image.targets) {
        const values = parse(fileOf(files, target.file)) as { image: { repository: string; tag: string } };
        expect(values.image.repository).toBe(image.image);
        expect(target.edit).toEqual({ kind: 'helm', tagPath: 'image.tag' });
      }
    const api = config.images[0];
    expect(api?.targets.map((t) => [t.environment, t.mode, t.after])).toEqual([
      ['dev', 'commit', undefined],
      ['staging', 'commit', 'dev'],
      ['prod', 'pull-request', 'staging'],
    ]);
    expect(config.secrets?.manifests).toMatchObject({ repository: 'gitops', operator: 'eso' });
  });

  for (const operator of ['eso', 'vso'] as const)
    it(`${operator}: the manifest the secrets sync writes for a scaffolded service is valid, where its Application reads it, for the Secret its pods read`, () => {
      const answers = { services: ['api'], environments: ['dev', 'prod'], secrets: operator } satisfies ScaffoldInput;
      const files = scaffold(answers);
      // No per-service manifest yet: one for a Vault path that does not exist would be Degraded and hold the gates.
      expect(files.map((f) => f.path).filter((path) => path.endsWith('secrets.yaml'))).toEqual([]);
      const settings = parsePromotionConfig(fileOf(files, 'hoist.config.yaml')).secrets;
      if (!settings) throw new Error('no secrets section');
      // What the sync does when hoist/apps/api/prod arrives (sync-secrets.ts, write-secret-manifests.ts).
      const secretName = fillTemplate(settings.mapping.namePattern, { service: 'api', environment: 'prod' });
      const mapped = mapSecret(settings, { name: secretName });
      if (mapped.kind !== 'mapped') throw new Error(mapped.reason);
      const path = manifestPathOf(settings, { service: 'api', environment: 'prod' });
      const [manifest] = documentsOf(
        renderSecretManifest(settings, {
          service: 'api',
          environment: 'prod',
          namespace: fillTemplate(settings.manifests.namespace, { service: 'api', environment: 'prod' }),
          name: fillTemplate(settings.manifests.secretName, { service: 'api', environment: 'prod' }),
          secretName,
          vault: mapped.target.vault,
          keys: ['DATABASE_URL'],
        }),
        path,
      ) as Array<Record<string, any>>;
      validateManifest(manifest as Record<string, unknown>, path);
      const [appSet] = documentsOf(fileOf(files, 'argocd/apps/services.yaml'), 'services.yaml') as Array<Record<string, any>>;
      const source = ((appSet?.spec.template.spec.sources ?? []) as Array<Record<string, any>>).find((s) => s.directory);
      const element = { service: 'api', environment: 'prod' };
      const fill = (text: string) => text.replaceAll('{{.service}}', element.service).replaceAll('{{.environment}}', element.environment);
      expect(path).toBe(`${fill(source?.path)}/${source?.directory.include}`);
      expect(manifest?.metadata.namespace).toBe('api-prod');
      const values = parse(fileOf(files, 'apps/api/values.yaml')) as { secretName: string };
      expect(manifest?.metadata.name).toBe(values.secretName);
      const stores = documentsOf(fileOf(files, 'platform/secret-stores.yaml'), 'secret-stores.yaml');
      if (operator === 'eso')
        expect(stores.map((d) => `${d.kind}/${(d.metadata as { name: string }).name}`)).toEqual([
          'ClusterSecretStore/vault',
          'ClusterSecretStore/aws-secrets-manager',
        ]);
      else expect(stores.map((d) => d.kind)).toEqual(['VaultConnection', 'VaultAuth']);
    });

  it('writes the same bytes for the same answers', () => {
    expect(scaffold(ANSWERS.everything as ScaffoldInput)).toEqual(scaffold(ANSWERS.everything as ScaffoldInput));
  });
});

describe('hoist scaffold: the GPU workload on the GPU node groups Hoist creates', () => {
  let platformTemplate: Template | undefined;
  /** The platform stack as `cdk synth` builds it from the repository's hoist.config.yaml, synthesized once. */
  const platform = (): Template => {
    if (platformTemplate) return platformTemplate;
    const { platform: stack } = synthApp();
    if (!stack) throw new Error('platform stack missing');
    platformTemplate = Template.fromStack(stack);
    return platformTemplate;
  };
  const gpuNodeGroups = () => {
    const resources = Object.values(platform().findResources('AWS::EKS::Nodegroup'));
    return resources
      .map((r) => r.Properties as { Taints?: Array<{ Key: string; Value: string; Effect: string }>; Labels?: Record<string, string> })
      .filter((p) => p.Taints?.length);
  };

  it('tolerates exactly the taint of the synthesized GPU node groups and selects a label they all carry', () => {
    const groups = gpuNodeGroups();
    expect(groups.length).toBeGreaterThan(0);
    const files = scaffold({ services: ['api'], environments: ['dev', 'prod'], gpu: 'ollama' });
    const [pod] = renderedWorkloads(files, 'ollama', 'prod').filter((m) => m.kind === 'Deployment') as Array<Record<string, any>>;
    const spec = pod?.spec.template.spec;
    const effectOf = { NO_SCHEDULE: 'NoSchedule', NO_EXECUTE: 'NoExecute', PREFER_NO_SCHEDULE: 'PreferNoSchedule' } as Record<string, string>;
    for (const group of groups) {
      const taints = (group.Taints ?? []).map((t) => ({ key: t.Key, operator: 'Equal', value: t.Value, effect: effectOf[t.Effect] }));
      expect(spec.tolerations).toEqual(taints);
      for (const [label, value] of Object.entries(spec.nodeSelector as Record<string, string>)) expect(group.Labels?.[label]).toBe(value);
    }
    expect(spec.tolerations).toEqual(GPU_TOLERATIONS);
    expect(spec.nodeSelector).toEqual(GPU_NODE_SELECTOR);
    expect(spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'ollama-data' } }]);
  });

  it("the device plugin Application installs the chart version Hoist's own cluster runs, on the GPU nodes", () => {
    const files = scaffold({ services: ['api'], environments: ['dev'], gpu: 'ollama', devicePlugin: true });
    const [app] = documentsOf(fileOf(files, 'argocd/apps/nvidia-device-plugin.yaml'), 'nvidia-device-plugin.yaml') as Array<Record<string, any>>;
    const charts = Object.values(platform().findResources('Custom::AWSCDK-EKS-HelmChart')).map((r) => r.Properties as Record<string, string>);
    const plugin = charts.find((c) => c.Chart === NVIDIA_DEVICE_PLUGIN_CHART.chart);
    expect(app?.spec.source).toMatchObject({ repoURL: plugin?.Repository, chart: plugin?.Chart, targetRevision: plugin?.Version });
    // On another cluster GPU Feature Discovery sets the label the GPU workload selects, and NFD's worker tolerates the GPU taint.
    expect(app?.spec.source.helm.valuesObject.gfd).toEqual({ enabled: true });
    expect(app?.spec.source.helm.valuesObject.nfd.worker.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  });
});
