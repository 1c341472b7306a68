import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { HoistConfig } from '../config/hoist-config';
import { ArgoCd } from '../constructs/argo-cd';
import { ExternalSecrets } from '../constructs/external-secrets';
import { GpuCluster } from '../constructs/gpu-cluster';
import { ImageRepositories } from '../constructs/image-repositories';
import { NvidiaDevicePlugin } from '../constructs/nvidia-device-plugin';
import { PlatformNetwork } from '../constructs/platform-network';

export interface PlatformStackProps extends StackProps {
  readonly config: HoistConfig;
}

/** The cluster half: VPC, EKS with GPU node groups, its add-ons, and ECR repositories. */
export class PlatformStack extends Stack {
  readonly gpuCluster: GpuCluster;
  readonly images: ImageRepositories;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const platform = props.config.platform;
    const network = new PlatformNetwork(this, 'Network', { maxAzs: platform.maxAzs, natGateways: platform.natGateways });
    this.gpuCluster = new GpuCluster(this, 'Eks', {
      vpc: network.vpc,
      systemNodeGroup: platform.systemNodeGroup,
      gpuNodeGroups: platform.gpuNodeGroups,
      publicEndpointCidrs: platform.publicEndpointCidrs,
      ...(platform.adminRoleArn === undefined ? {} : { adminRoleArn: platform.adminRoleArn }),
    });
    const cluster = this.gpuCluster.cluster;
    new NvidiaDevicePlugin(this, 'NvidiaDevicePlugin', { cluster, version: platform.charts.nvidiaDevicePlugin.version });
    new ArgoCd(this, 'ArgoCd', { cluster, version: platform.charts.argocd.version });
    new ExternalSecrets(this, 'ExternalSecrets', {
      cluster,
      version: platform.charts.externalSecrets.version,
      secretPrefixes: platform.externalSecretsPrefixes,
    });
    this.images = new ImageRepositories(this, 'Images', {
      names: platform.ecr.repositories,
      keepLastImages: platform.ecr.keepLastImages,
      untaggedExpiryDays: platform.ecr.untaggedExpiryDays,
    });
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
    for (const [name, repository] of this.images.repositories) {
      new CfnOutput(this, `Repository-${name.replace(/[^A-Za-z0-9]/g, '')}`, { description: `ECR repository ${name}`, value: repository.repositoryUri });
    }
  }
}
