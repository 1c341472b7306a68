import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { GPU_NODE_LABELS, GPU_TAINT } from './gpu-cluster';

export interface NvidiaDevicePluginProps {
  readonly cluster: eks.ICluster;
  /** Exact chart version of nvidia/k8s-device-plugin. */
  readonly version: string;
}

export const NVIDIA_DEVICE_PLUGIN_REPOSITORY = 'https://nvidia.github.io/k8s-device-plugin';

/**
 * NVIDIA's device plugin DaemonSet, which advertises `nvidia.com/gpu` on GPU
 * nodes. It tolerates the GPU taint and runs only on GPU nodes.
 */
export class NvidiaDevicePlugin extends Construct {
  readonly chart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: NvidiaDevicePluginProps) {
    super(scope, id);
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      chart: 'nvidia-device-plugin',
      repository: NVIDIA_DEVICE_PLUGIN_REPOSITORY,
      version: props.version,
      release: 'nvidia-device-plugin',
      namespace: 'nvidia-device-plugin',
      createNamespace: true,
      values: {
        nodeSelector: { 'nvidia.com/gpu.present': GPU_NODE_LABELS['nvidia.com/gpu.present'] },
        tolerations: [{ key: GPU_TAINT.key, operator: 'Exists', effect: 'NoSchedule' }],
      },
    });
  }
}
