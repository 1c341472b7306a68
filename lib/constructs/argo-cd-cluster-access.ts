import { Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { HOIST_ARGOCD_GROUP } from './argo-cd';

export interface ArgoCdClusterAccessProps {
  /** The EKS cluster Argo CD runs in, by name (it may belong to another stack or none). */
  readonly clusterName: string;
  /**
   * The cluster's region; access entries are made in this stack's region, so
   * it must be that one.
   * @default this stack's region
   */
  readonly region?: string;
  /** The functions that read and refresh Argo CD applications, by a stable id (`Promoter`, `Gates`). */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
}

/**
 * What lets functions reach Argo CD through the Kubernetes API of its EKS
 * cluster with no token: for each function's role, an EKS access entry
 * (type STANDARD) in the Kubernetes group `hoist:argocd`, which the platform
 * stack's RoleBinding lets get, list and patch Applications; and
 * `eks:DescribeCluster` on that one cluster, for its endpoint and CA.
 *
 * The L1 `CfnAccessEntry` needs only the cluster's name, so the automation
 * stack stays deployable against a cluster it did not build. The cluster
 * must accept access entries (authentication mode API or
 * API_AND_CONFIG_MAP, the default of clusters CDK's aws-eks-v2 builds).
 */
export class ArgoCdClusterAccess extends Construct {
  readonly accessEntries: Record<string, eks.CfnAccessEntry> = {};

  constructor(scope: Construct, id: string, props: ArgoCdClusterAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.region !== undefined && !Token.isUnresolved(stack.region) && props.region !== stack.region) {
      throw new Error(
        `ArgoCdClusterAccessProps.region: the cluster is in ${props.region} but access entries are made in this stack's region ${stack.region}; deploy the automation stack in the cluster's region`,
      );
    }
    if (Object.keys(props.functions).length === 0) throw new Error('ArgoCdClusterAccessProps.functions: name at least one function');
    const clusterArn = stack.formatArn({ service: 'eks', region: props.region ?? stack.region, resource: 'cluster', resourceName: props.clusterName });

    for (const [name, fn] of Object.entries(props.functions)) {
      const role = fn.role;
      if (role === undefined) throw new Error(`ArgoCdClusterAccessProps.functions.${name}: the function has no role to give access`);
      this.accessEntries[name] = new eks.CfnAccessEntry(this, `${name}AccessEntry`, {
        clusterName: props.clusterName,
        principalArn: role.roleArn,
        type: 'STANDARD',
        kubernetesGroups: [HOIST_ARGOCD_GROUP],
      });
      // EksArgoCdClient describes the cluster once per instance: its endpoint and the CA it trusts alone.
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [clusterArn] }));
    }
  }
}
