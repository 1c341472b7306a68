import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** Taint and label that GPU nodes carry; GPU workloads tolerate and select them. */
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'true', effect: eks.TaintEffect.NO_SCHEDULE } as const;
export const GPU_NODE_LABELS = { 'nvidia.com/gpu.present': 'true', 'hoist.io/node-pool': 'gpu' } as const;

export interface NodeGroupSpec {
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredSize: number;
  readonly diskSizeGiB: number;
}

export interface GpuNodeGroupSpec extends NodeGroupSpec {
  readonly name: string;
  readonly amiType: 'AL2023_x86_64_NVIDIA' | 'BOTTLEROCKET_x86_64_NVIDIA';
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
}

export interface GpuClusterProps {
  readonly vpc: ec2.IVpc;
  readonly systemNodeGroup: NodeGroupSpec;
  readonly gpuNodeGroups: readonly GpuNodeGroupSpec[];
  /** Role given cluster-admin through an EKS access entry. @default none */
  readonly adminRoleArn?: string;
  /** CIDRs allowed on the public API endpoint. @default ['0.0.0.0/0'] */
  readonly publicEndpointCidrs?: readonly string[];
}

/**
 * An EKS cluster (Kubernetes 1.35, aws-eks-v2) with a system node group and
 * NVIDIA GPU node groups: tainted `nvidia.com/gpu=true:NoSchedule`, labelled,
 * and able to scale from zero (the Cluster Autoscaler reads the node-template
 * tags to learn a group's labels, taints and GPU count while it is empty).
 */
export class GpuCluster extends Construct {
  readonly cluster: eks.Cluster;
  readonly gpuNodeGroups: eks.Nodegroup[] = [];

  constructor(scope: Construct, id: string, props: GpuClusterProps) {
    super(scope, id);
    if (props.gpuNodeGroups.length === 0) throw new Error('GpuClusterProps.gpuNodeGroups: declare at least one GPU node group');
    const names = props.gpuNodeGroups.map((g) => g.name);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) throw new Error(`GpuClusterProps.gpuNodeGroups: name '${repeated}' is used twice`);

    this.cluster = new eks.Cluster(this, 'Cluster', {
      version: eks.KubernetesVersion.V1_35,
      vpc: props.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      endpointAccess: eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...(props.publicEndpointCidrs ?? ['0.0.0.0/0'])),
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(this, 'Kubectl') },
    });

    NagSuppressions.addResourceSuppressions(
      this.cluster,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            "The EKS service role needs AmazonEKSClusterPolicy, and CDK's kubectl provider (a custom resource inside the VPC) uses the AWS-managed Lambda basic/VPC execution and ECR read-only policies; CDK owns these roles.",
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: "CDK's custom-resource framework may invoke any version of its own kubectl handler (`<handler arn>:*`), nothing else.",
        },
        { id: 'AwsSolutions-L1', reason: "CDK's kubectl provider pins its own runtime together with the kubectl/helm layer it ships." },
      ],
      true,
    );

    if (props.adminRoleArn !== undefined) {
      this.cluster.grantAccess('PlatformTeam', props.adminRoleArn, [
        eks.AccessPolicy.fromAccessPolicyName('AmazonEKSClusterAdminPolicy', { accessScopeType: eks.AccessScopeType.CLUSTER }),
      ]);
    }

    const nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonEKS_CNI_Policy', 'AmazonSSMManagedInstanceCore'].map((name) =>
        iam.ManagedPolicy.fromAwsManagedPolicyName(name),
      ),
    });
    NagSuppressions.addResourceSuppressions(nodeRole, [
      {
        id: 'AwsSolutions-IAM4',
        reason:
          'EKS worker nodes need exactly these AWS-managed policies (node join, image pull, VPC CNI, SSM access instead of SSH); AWS maintains them as EKS evolves.',
      },
    ]);

    const system = props.systemNodeGroup;
    this.cluster.addNodegroupCapacity('System', {
      nodeRole,
      instanceTypes: system.instanceTypes.map((t) => new ec2.InstanceType(t)),
      minSize: system.minSize,
      maxSize: system.maxSize,
      desiredSize: system.desiredSize,
      diskSize: system.diskSizeGiB,
      amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      labels: { 'hoist.io/node-pool': 'system' },
    });

    for (const spec of props.gpuNodeGroups) {
      const templateTags: Record<string, string> = {
        [`k8s.io/cluster-autoscaler/node-template/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:NoSchedule`,
        'k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu': '1',
      };
      for (const [label, value] of Object.entries(GPU_NODE_LABELS)) {
        templateTags[`k8s.io/cluster-autoscaler/node-template/label/${label}`] = value;
      }
      this.gpuNodeGroups.push(
        this.cluster.addNodegroupCapacity(`Gpu-${spec.name}`, {
          nodeRole,
          instanceTypes: spec.instanceTypes.map((t) => new ec2.InstanceType(t)),
          amiType: spec.amiType === 'AL2023_x86_64_NVIDIA' ? eks.NodegroupAmiType.AL2023_X86_64_NVIDIA : eks.NodegroupAmiType.BOTTLEROCKET_X86_64_NVIDIA,
          capacityType: spec.capacityType === 'SPOT' ? eks.CapacityType.SPOT : eks.CapacityType.ON_DEMAND,
          minSize: spec.minSize,
          maxSize: spec.maxSize,
          desiredSize: spec.desiredSize,
          diskSize: spec.diskSizeGiB,
          labels: { ...GPU_NODE_LABELS, 'hoist.io/gpu-group': spec.name },
          taints: [GPU_TAINT],
          tags: templateTags,
        }),
      );
    }
  }
}
