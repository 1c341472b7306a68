/**
 * How a pod lands on the GPU nodes Hoist's CDK app creates: those node groups
 * carry the taint `nvidia.com/gpu=true:NoSchedule` and the label
 * `nvidia.com/gpu.present=true` (lib/constructs/gpu-cluster.ts; a test
 * compares these with the synthesized node groups).
 */
export const GPU_TOLERATIONS = [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] as const;
export const GPU_NODE_SELECTOR = { 'nvidia.com/gpu.present': 'true' } as const;

/** NVIDIA's device plugin chart, the version Hoist's own cluster installs (platform.charts.nvidiaDevicePlugin). */
export const NVIDIA_DEVICE_PLUGIN_CHART = {
  repoURL: 'https://nvidia.github.io/k8s-device-plugin',
  chart: 'nvidia-device-plugin',
  version: '0.17.4',
  namespace: 'nvidia-device-plugin',
} as const;
