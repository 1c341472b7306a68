import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HoistApp } from '../../../lib/build-app';
import { GpuCluster } from '../../../lib/constructs/gpu-cluster';
import { nagErrors, synthApp } from '../support';

describe('PlatformStack', () => {
  let hoist: HoistApp;
  let template: Template;
  beforeAll(() => {
    hoist = synthApp(
      readFileSync('hoist.config.yaml', 'utf8').replace(
        '# adminRoleArn: arn:aws:iam::123456789012:role/platform-team',
        'adminRoleArn: arn:aws:iam::123456789012:role/platform-team',
      ),
    );
    if (hoist.platform === undefined) throw new Error('platform stack missing');
    template = Template.fromStack(hoist.platform);
  });

  it('has no unsuppressed cdk-nag AwsSolutions errors', () => {
    expect(nagErrors(hoist.platform as Stack)).toEqual([]);
  });

  it('runs EKS 1.35 with control-plane logging, in private subnets across 3 AZs', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Version: '1.35',
      Logging: { ClusterLogging: { EnabledTypes: Match.arrayWith([{ Type: 'api' }, { Type: 'audit' }]) } },
    });
    template.resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false }, 3);
  });

  it('gives the platform team cluster-admin through an access entry', () => {
    const entries = template.findResources('AWS::EKS::AccessEntry', { Properties: { PrincipalArn: 'arn:aws:iam::123456789012:role/platform-team' } });
    expect(Object.keys(entries)).toHaveLength(1);
    const [entry] = Object.values(entries);
    expect(entry?.Properties.AccessPolicies).toEqual([expect.objectContaining({ AccessScope: { Type: 'cluster' } })]);
    expect(JSON.stringify(entry?.Properties.AccessPolicies)).toContain(':cluster-access-policy/AmazonEKSClusterAdminPolicy');
  });

  it('adds a GPU node group on the NVIDIA AMI, tainted and labelled, scaling from zero', () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_NVIDIA',
      InstanceTypes: ['g6.xlarge', 'g5.xlarge'],
      ScalingConfig: { MinSize: 0, MaxSize: 4, DesiredSize: 0 },
      Taints: [{ Key: 'nvidia.com/gpu', Value: 'true', Effect: 'NO_SCHEDULE' }],
      Labels: { 'nvidia.com/gpu.present': 'true', 'hoist.io/node-pool': 'gpu', 'hoist.io/gpu-group': 'gpu' },
      Tags: Match.objectLike({ 'k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu': 'true:NoSchedule' }),
    });
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_STANDARD',
      InstanceTypes: ['m6i.large'],
      ScalingConfig: { MinSize: 2, MaxSize: 4, DesiredSize: 2 },
    });
  });

  it('installs the NVIDIA device plugin, Argo CD and ESO from pinned chart versions', () => {
    const charts = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).map((r) => r.Properties as Record<string, any>);
    const byName = Object.fromEntries(charts.map((c) => [c.Chart, c]));
    expect(byName['nvidia-device-plugin']).toMatchObject({ Repository: 'https://nvidia.github.io/k8s-device-plugin', Version: '0.17.4' });
    expect(byName['argo-cd']).toMatchObject({ Repository: 'https://argoproj.github.io/argo-helm', Version: '8.6.4', Namespace: 'argocd' });
    expect(byName['external-secrets']).toMatchObject({ Repository: 'https://charts.external-secrets.io', Version: '0.20.4' });
    expect(JSON.parse(byName['nvidia-device-plugin'].Values)).toMatchObject({
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    });
  });

  it('lets the group hoist:argocd get, list and patch Argo CD Applications in the argocd namespace, and nothing else', () => {
    const resources = Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    // Every manifest that names the group: exactly one resource, Hoist's Role and RoleBinding (a manifest with tokens is a Fn::Join).
    const naming = resources.filter(([, r]) => JSON.stringify(r.Properties.Manifest).includes('hoist:argocd'));
    expect(naming).toHaveLength(1);
    const [id, resource] = naming[0] ?? ['', { Properties: {} }];
    const [role, binding, ...rest] = JSON.parse(String(resource.Properties.Manifest)) as Array<Record<string, unknown>>;
    expect(rest).toEqual([]);
    expect(role).toMatchObject({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'hoist-applications', namespace: 'argocd' } });
    // Guards the verbs and resources exactly: no delete, no create, no other resource or API group.
    expect(role?.rules).toEqual([{ apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['get', 'list', 'patch'] }]);
    expect(binding).toMatchObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'hoist-applications', namespace: 'argocd' },
    });
    expect(binding?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'hoist-applications' });
    // The group the automation stack's access entries put the promoter and gates roles in.
    expect(binding?.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'hoist:argocd' }]);
    // Applied after the chart, which creates the namespace.
    expect((resource as { DependsOn?: string[] }).DependsOn?.some((dependency) => dependency.startsWith('ArgoCdChart'))).toBe(true);
    expect(id).toMatch(/^EksClustermanifestHoistArgoCdAccess/);
  });

  it('gives External Secrets a Pod Identity role that reads only the configured prefixes', () => {
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['secretsmanager:GetSecretValue']) })]) } },
    });
    const text = JSON.stringify(policies);
    expect(text).toContain(':secret:hoist/apps/*');
    expect(Object.keys(policies)).toHaveLength(1);
  });

  it('creates ECR repositories that scan on push, keep tags immutable, encrypt with KMS and expire old images', () => {
    for (const name of ['team/api', 'team/worker']) {
      template.hasResourceProperties('AWS::ECR::Repository', {
        RepositoryName: name,
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS' },
        LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('"countType":"imageCountMoreThan","countNumber":100') },
      });
    }
  });
});

describe('GpuCluster props', () => {
  const vpcIn = (stack: Stack) => new ec2.Vpc(stack, 'Vpc');
  const system = { instanceTypes: ['m6i.large'], minSize: 1, maxSize: 2, desiredSize: 1, diskSizeGiB: 50 };
  const gpu = {
    name: 'a',
    instanceTypes: ['g5.xlarge'],
    minSize: 0,
    maxSize: 1,
    desiredSize: 0,
    diskSizeGiB: 100,
    amiType: 'AL2023_x86_64_NVIDIA' as const,
    capacityType: 'ON_DEMAND' as const,
  };

  it('refuses a cluster without GPU node groups, naming the prop', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new GpuCluster(stack, 'C', { vpc: vpcIn(stack), systemNodeGroup: system, gpuNodeGroups: [] })).toThrowError(
      'GpuClusterProps.gpuNodeGroups: declare at least one GPU node group',
    );
  });

  it('refuses two GPU node groups with one name', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new GpuCluster(stack, 'C', { vpc: vpcIn(stack), systemNodeGroup: system, gpuNodeGroups: [gpu, gpu] })).toThrowError(
      "GpuClusterProps.gpuNodeGroups: name 'a' is used twice",
    );
  });
});
